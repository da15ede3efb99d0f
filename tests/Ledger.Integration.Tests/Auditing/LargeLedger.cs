using System.Diagnostics;
using Ledger.Host.Audit;
using Ledger.Integration.Tests.Importing;
using Ledger.Integration.Tests.Support;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>A synthetic ledger of 100,000 events, generated from a seed on a database of its own.</summary>
[Collection(SeedingGroup.Name)]
public sealed class LargeLedger(ITestOutputHelper output)
{
    private const int Streams = 1_000;
    private const int EventsPerStream = 100;

    [Fact]
    public async Task a_clean_ledger_of_100k_events_verifies_with_no_false_positive()
    {
        await using var database = await TestDatabase.CreateAsync("large");
        var clock = new FakeClock(LedgerHost.Start);
        await using var host = await LedgerHost.StartAsync(database, clock);
        var store = host.Services.GetRequiredService<IDocumentStore>();

        var generate = Stopwatch.StartNew();
        await SyntheticLedger.AppendAsync(store, Streams, EventsPerStream, clock.GetCurrentInstant());
        output.WriteLine($"generated {Streams * EventsPerStream:N0} events in {generate.Elapsed.TotalSeconds:F1} s");

        // Verified once the daemon has built its Merkle tree of them: every row is compared with its leaf too.
        var catchUp = Stopwatch.StartNew();
        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"the async daemon caught up in {catchUp.Elapsed.TotalSeconds:F1} s");

        var verify = Stopwatch.StartNew();
        var report = await host.Services.GetRequiredService<LedgerAudit>().VerifyAsync(null, null, CancellationToken.None);
        output.WriteLine($"verified {report.EventsChecked:N0} events in {verify.Elapsed.TotalSeconds:F1} s");

        report.EventsChecked.ShouldBe(Streams * EventsPerStream);
        report.Findings.ShouldBeEmpty();
        report.Digest.TreeSize.ShouldBe(Streams * EventsPerStream);
        report.TreeLeavesCompared.ShouldBe(Streams * EventsPerStream);
        (await host.Services.GetRequiredService<LedgerAudit>().DigestAsync(CancellationToken.None)).RootHash.ShouldBe(report.Digest.RootHash);
    }
}
