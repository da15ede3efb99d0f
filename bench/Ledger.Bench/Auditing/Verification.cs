using System.Diagnostics;
using Ledger.Bench.Harness;
using Ledger.Host.Audit;
using Marten;
using NodaTime;

namespace Ledger.Bench.Auditing;

/// <summary>
/// Ledger verification as the <c>verify</c> verb and <c>POST /api/ledger/verify</c> run it:
/// <see cref="LedgerAudit.VerifyAsync"/> streams every stored row in global order, recomputes every
/// stream's hash chain and the Merkle root over all of them, and checks the streams table.
/// </summary>
internal static class Verification
{
    public static async Task<(long Events, TimeSpan Elapsed)> RunAsync(IDocumentStore store, CancellationToken ct)
    {
        var audit = new LedgerAudit(store, SystemClock.Instance, BenchMetrics.Ledger);
        var watch = Stopwatch.StartNew();
        var report = await audit.VerifyAsync(null, null, ct);
        var elapsed = watch.Elapsed;
        if (!report.Intact)
        {
            throw new InvalidOperationException($"verification found {report.Findings.Count} finding(s) in a ledger nobody altered; first: {report.First}");
        }

        return (report.EventsChecked, elapsed);
    }
}
