using Ledger.Domain.Common;
using Ledger.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Importing;

/// <summary>Imports the shipped meetings' data when the host starts, if <c>Ledger:SeedOnStartup</c> is on.</summary>
public sealed class SeedOnStartup(IOptions<LedgerOptions> options, LedgerImporter importer, ILogger<SeedOnStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStartup)
        {
            return;
        }

        var data = await MeetingsDataFile.LoadShippedAsync(cancellationToken);
        var report = await importer.ImportAsync(data, Actor.Importer("ledger-seed"), ct: cancellationToken);
        if (report.Refused.Count > 0)
        {
            throw new InvalidOperationException("The shipped meetings' data was refused: " + string.Join("; ",
                report.Refused.Select(r => r.Key + ": " + string.Join(", ", r.Reasons.Select(x => $"{x.Field} {x.Reason}")))));
        }

        ImportLog.Seeded(logger, report.Created.Count > 0 ? LogLevel.Information : LogLevel.Debug, report.Created.Count, report.AlreadyPresent.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
