using System.Diagnostics;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Bench.Harness;

/// <summary>How far the async daemon is, read from Marten's progression table.</summary>
internal static class ProjectionProgress
{
    /// <summary>
    /// Waits until the host's async daemon has projected every stored event in every shard it keeps (the dashboards,
    /// the activity feed, the checkpoints and the Merkle tree's subscription), so the next measurement does not share
    /// the machine's two cores with a catch-up left over from the previous one or from the ledger's growth.
    /// Gives up (with a warning, not an error) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task SettleAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var lastSaid = TimeSpan.Zero;
        while (true)
        {
            var (events, shard, position) = await SlowestAsync(connectionString, ct);
            if (position >= events)
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                Say.Progress($"warning: the async daemon is still behind after {timeout.TotalSeconds:0} s ({shard} at {position:N0} of {events:N0} events); measuring anyway");
                return;
            }

            if (watch.Elapsed - lastSaid > TimeSpan.FromSeconds(10))
            {
                lastSaid = watch.Elapsed;
                Say.Progress($"waiting for the async daemon to catch up: {shard} at {position:N0} of {events:N0} events");
            }

            await Task.Delay(200, ct);
        }
    }

    /// <summary>The last event stored, and the shard furthest behind it with its position (every shard Marten has a progression for).</summary>
    private static async Task<(long Events, string Shard, long Position)> SlowestAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            select (select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events), p.name, p.last_seq_id
            from {LedgerStore.Schema}.mt_event_progression p
            where p.name not like 'HighWater%'
            order by p.last_seq_id
            limit 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2))
            : (0, "none", 0);
    }
}
