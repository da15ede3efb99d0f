using System.Diagnostics;
using Ledger.Host.Audit;
using Marten;

namespace Ledger.Bench.Auditing;

/// <summary>
/// The ledger exported as the <c>export</c> verb and <c>GET /api/ledger/export</c> write it: every stored row in
/// global order (<see cref="RawEvents"/>), each written as a JSON Lines record with its data canonicalised
/// (<see cref="LedgerExport.WriteAsync"/>), into a stream that discards the bytes (the measure is the ledger's
/// work, not the disk's).
/// </summary>
internal static class Export
{
    public static async Task<(long Events, TimeSpan Elapsed)> RunAsync(IDocumentStore store, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var events = await LedgerExport.WriteAsync(new RawEvents(store).ReadAsync(ct: ct), ExportFormat.Jsonl, Stream.Null, null, ct);
        return (events, watch.Elapsed);
    }
}
