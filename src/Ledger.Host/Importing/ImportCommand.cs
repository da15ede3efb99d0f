using JasperFx.CommandLine;
using Ledger.Domain.Common;
using Ledger.Host.DatabaseRoles;
using Spectre.Console;

namespace Ledger.Host.Importing;

public sealed class ImportInput : NetCoreInput
{
    [Description("A meetings' data file (JSON, same shape as data/unoic-2022-2024.json); the shipped data when omitted")]
    public string? File { get; set; }
}

[Description("Import meetings' data into the ledger (idempotent: importing again records nothing)", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public ImportCommand()
    {
        Usage("Import the shipped meetings' data");
        Usage("Import a meetings' data file").Arguments(x => x.File!);
    }

    public override async Task<bool> Execute(ImportInput input)
    {
        using var host = input.BuildHost();

        // The verb may run before the host ever served: as the owner (or a single role) it applies the schema and its
        // protection first; as the runtime role it checks them.
        await host.Services.GetRequiredService<SchemaStep>().PrepareAsync(CancellationToken.None);
        var importer = host.Services.GetRequiredService<LedgerImporter>();
        var data = input.File is null
            ? await MeetingsDataFile.LoadShippedAsync()
            : await MeetingsDataFile.LoadAsync(input.File);

        var report = await AnsiConsole.Status().StartAsync("Importing…", async status =>
        {
            var progress = new Progress<string>(message => status.Status(Markup.Escape(message)));
            return await importer.ImportAsync(data, Actor.Importer(Environment.UserName), progress);
        });

        foreach (var refused in report.Refused)
        {
            AnsiConsole.MarkupLine($"[red]refused[/] {Markup.Escape(refused.Key)}: " +
                Markup.Escape(string.Join("; ", refused.Reasons.Select(r => $"{r.Field} {r.Reason}"))));
        }

        AnsiConsole.MarkupLine(report.Refused.Count > 0
            ? $"[red]Nothing imported:[/] {report.Refused.Count} entries were refused."
            : $"[green]Imported[/] {report.Created.Count} streams ({report.EventCount} events); {report.AlreadyPresent.Count} were already present.");
        return report.Refused.Count == 0;
    }
}
