using Ledger.Bench.Harness;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Ceiling;

/// <summary>
/// The write ceiling: single-row INSERTs, each its own durable transaction (autocommit, fsync on), by
/// 16 writers on their own connections, with prepared statements. The row is shaped like an event row
/// (a stream key, a type name, a JSON body of the size of a real review decision, a timestamp) in a table
/// with a primary key and nothing else: no listener, no projection, no version check. Whatever the
/// ledger does per write costs on top of this. It runs as the owner role, which may create its table in a
/// schema of its own (the runtime role may create nothing); the role makes no difference to an INSERT.
/// </summary>
internal static class RawInsert
{
    private const string Table = "bench.raw_insert";

    public static async Task<LoadResult> RunAsync(
        string connectionString, string payload, BenchOptions options, CpuMeter meter, CancellationToken ct)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using (var create = source.CreateCommand(
                         $"create schema if not exists bench; create table if not exists {Table} (" +
                         "seq bigint generated always as identity primary key, stream_id varchar not null, type varchar not null, " +
                         "data jsonb not null, recorded_at timestamptz not null)"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var connections = new NpgsqlConnection[BenchOptions.Writers];
        var commands = new NpgsqlCommand[BenchOptions.Writers];
        try
        {
            for (var w = 0; w < BenchOptions.Writers; w++)
            {
                connections[w] = await source.OpenConnectionAsync(ct);
                var command = commands[w] = new NpgsqlCommand(
                    $"insert into {Table} (stream_id, type, data, recorded_at) values (@stream, @type, @data, @at)", connections[w]);
                command.Parameters.Add(new NpgsqlParameter("stream", NpgsqlDbType.Varchar));
                command.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Varchar) { Value = "review-decision-recorded" });
                command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = payload });
                command.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz));
                await command.PrepareAsync(ct);
            }

            var counters = new long[BenchOptions.Writers];
            return await LoadTest.RunAsync(BenchOptions.Writers, options.Warmup, options.Duration, meter, async (w, token) =>
            {
                var command = commands[w];
                command.Parameters[0].Value = $"raw-{w}-{counters[w]++ % 256}";
                command.Parameters[3].Value = DateTime.UtcNow;
                await command.ExecuteNonQueryAsync(token);
                return null;
            }, ct);
        }
        finally
        {
            await Disposables.DisposeAllAsync(commands, connections);
        }
    }
}
