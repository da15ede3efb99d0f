using System.Diagnostics;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Bench.Ceiling;

/// <summary>One raw scan of the events table: how many rows, how long.</summary>
internal sealed record ScanResult(long Rows, TimeSpan Elapsed)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

/// <summary>
/// The read ceiling: every column of every row of the events table, in global order, read by one
/// client with Npgsql and materialized (each value read), nothing else done with it. Verification,
/// rebuilds and boards as of an instant read the same rows and then do their work on top.
/// </summary>
internal static class RawOrderedRead
{
    private const string Sql =
        "select seq_id, id, stream_id, version, data, bdata, type, timestamp, tenant_id, mt_dotnet_type, " +
        $"correlation_id, causation_id, headers, user_name, is_archived from {LedgerStore.Schema}.mt_events order by seq_id";

    /// <summary>How PostgreSQL reads the table in order (the top of its plan): every ordered scan of the ledger shares it.</summary>
    public static async Task<string> PlanAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("explain " + Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var lines = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            lines.Add(reader.GetString(0).Trim());
        }

        return string.Join(" / ", lines.Take(3));
    }

    public static async Task<ScanResult> RunAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var watch = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        long rows = 0;
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (!reader.IsDBNull(i))
                {
                    _ = reader.GetValue(i);
                }
            }

            rows++;
        }

        return new ScanResult(rows, watch.Elapsed);
    }
}
