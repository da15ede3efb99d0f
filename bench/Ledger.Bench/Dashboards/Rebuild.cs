using System.Diagnostics;
using Ledger.Bench.Harness;
using Marten;

namespace Ledger.Bench.Dashboards;

/// <summary>
/// A projection rebuilt from scratch by Marten's daemon, as <c>projections rebuild -p NAME</c> does
/// with the host stopped (and connected as that verb connects, <see cref="Ledger.Projections.LedgerStore.ConnectLedgerForRebuilds"/>): Marten deletes the projection's documents and progression, then replays every
/// event through it in pages (the dashboards' page size is the product's <c>RebuildBatchSize</c>).
/// </summary>
internal static class Rebuild
{
    public static async Task<TimeSpan> RunAsync(IDocumentStore store, string connectionString, string projection, CancellationToken ct)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ticker = TickAsync(connectionString, projection, done.Token);
        var watch = Stopwatch.StartNew();
        try
        {
            await daemon.RebuildProjectionAsync(projection, TimeSpan.FromHours(1), ct);
            return watch.Elapsed;
        }
        finally
        {
            await done.CancelAsync();
            await ticker;
            await daemon.StopAllAsync();
        }
    }

    /// <summary>Says every ten seconds how far the rebuild has come.</summary>
    private static async Task TickAsync(string connectionString, string projection, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                await using var connection = new Npgsql.NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                await using var command = new Npgsql.NpgsqlCommand(
                    $"""
                     select (select coalesce(max(seq_id), 0) from {Ledger.Projections.LedgerStore.Schema}.mt_events),
                            coalesce((select last_seq_id from {Ledger.Projections.LedgerStore.Schema}.mt_event_progression where name = @shard), 0)
                     """, connection);
                command.Parameters.AddWithValue("shard", projection + ":All");
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                var (events, position) = (reader.GetInt64(0), reader.GetInt64(1));
                Say.Progress($"rebuilding {projection}: {position:N0} of {events:N0} events");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The rebuild is over.
        }
    }
}
