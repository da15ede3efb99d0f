using System.Diagnostics;
using Ledger.Projections;
using Ledger.Projections.Dashboards;
using Npgsql;

namespace Ledger.Bench.Harness;

/// <summary>How far the async projections are, read from Marten's progression table.</summary>
internal static class ProjectionProgress
{
    /// <summary>The last event stored, and the positions of the two async projections (0 when they have none).</summary>
    public static async Task<(long Events, long Dashboards, long Activity)> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            select (select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events),
                   coalesce((select last_seq_id from {LedgerStore.Schema}.mt_event_progression where name = @dashboards), 0),
                   coalesce((select last_seq_id from {LedgerStore.Schema}.mt_event_progression where name = @activity), 0)
            """, connection);
        command.Parameters.AddWithValue("dashboards", DashboardProjections.CompositeName + ":All");
        command.Parameters.AddWithValue("activity", DashboardProjections.ActivityName + ":All");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>
    /// Waits until the host's async daemon has projected every stored event, so the next measurement
    /// does not share the machine's two cores with a catch-up left over from the previous one.
    /// Gives up (with a warning, not an error) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task SettleAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var lastSaid = TimeSpan.Zero;
        while (true)
        {
            var (events, dashboards, activity) = await ReadAsync(connectionString, ct);
            if (dashboards >= events && activity >= events)
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                Say.Progress($"warning: the async projections are still behind after {timeout.TotalSeconds:0} s (events {events:N0}, dashboards {dashboards:N0}, activity {activity:N0}); measuring anyway");
                return;
            }

            if (watch.Elapsed - lastSaid > TimeSpan.FromSeconds(10))
            {
                lastSaid = watch.Elapsed;
                Say.Progress($"waiting for the async projections to catch up: events {events:N0}, dashboards {dashboards:N0}, activity {activity:N0}");
            }

            await Task.Delay(200, ct);
        }
    }
}
