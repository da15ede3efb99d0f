using System.Diagnostics;
using Ledger.Bench.Harness;
using Ledger.Host.ProjectionOps;
using Marten;
using NodaTime;

namespace Ledger.Bench.Dashboards;

/// <summary>
/// The rebuild proof as <c>projections-verify</c> and <c>POST /api/projections/verify</c> run it
/// (<see cref="ProjectionVerifier.VerifyAsync"/>): every projection rebuilt in memory from one snapshot of the
/// events and compared, document by document, with what is stored.
/// </summary>
internal static class RebuildProof
{
    public static async Task<TimeSpan> RunAsync(IDocumentStore store, CancellationToken ct)
    {
        var verifier = new ProjectionVerifier(store, new ProjectionCatalog(store), new EventScan(), SystemClock.Instance, BenchMetrics.Ledger);
        var watch = Stopwatch.StartNew();
        var report = await verifier.VerifyAsync(null, ct);
        var elapsed = watch.Elapsed;
        if (!report.Matches)
        {
            var first = report.Differences.Count > 0 ? report.Differences[0] : null;
            throw new InvalidOperationException(
                $"the rebuild proof found differences in a ledger nobody altered; first: {first?.Projection} {first?.Document} {first?.Field}");
        }

        return elapsed;
    }
}
