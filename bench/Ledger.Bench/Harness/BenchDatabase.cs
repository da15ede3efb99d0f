using Npgsql;

namespace Ledger.Bench.Harness;

/// <summary>A phase's database: the runtime role's connection (hosts, the harness's store) and the owner's.</summary>
internal sealed record PhaseDatabase(string Runtime, string Owner);

/// <summary>
/// A fresh database per phase on the run's own cluster, set up as the ledger's own database is: owned by the
/// owner role, with the schema applied by the owner (db-apply) before a host serves as the runtime role. The
/// write phase and the read phase never see each other's events, so the ledger sizes the reads are measured at
/// are exactly the ones generated for them.
/// </summary>
internal static class BenchDatabase
{
    /// <summary>Creates (or recreates) <paramref name="name"/> and applies the schema as the owner.</summary>
    public static async Task<PhaseDatabase> CreateAsync(BenchOptions options, string name, CancellationToken ct)
    {
        var owner = new NpgsqlConnectionStringBuilder(options.OwnerConnection) { Database = name };
        await using (var connection = new NpgsqlConnection(options.AdminConnection))
        {
            await connection.OpenAsync(ct);
            await Execute(connection, $"drop database if exists \"{name}\" with (force)", ct);
            await Execute(connection, $"create database \"{name}\" owner \"{owner.Username}\"", ct);
        }

        var database = new PhaseDatabase(
            new NpgsqlConnectionStringBuilder(options.AppConnection) { Database = name }.ConnectionString, owner.ConnectionString);
        await HostProcess.ApplySchemaAsync(options, database, name, ct);
        return database;
    }

    /// <summary>The server's version, for the report.</summary>
    public static async Task<string> ServerVersionAsync(BenchOptions options, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.AdminConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select version()", connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Settings that decide whether a commit is durable, for the report: the ceiling is only meaningful with them on.</summary>
    public static async Task<string> DurabilityAsync(BenchOptions options, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.AdminConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select string_agg(name || '=' || current_setting(name), ', ' order by name) from pg_settings " +
            "where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_connections')",
            connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Puts a freshly generated ledger at rest, as a running ledger's autovacuum and checkpoints keep
    /// it: vacuumed and analyzed (hint bits set, visibility map built, statistics current), then a
    /// checkpoint, so neither lands in the middle of a measurement.
    /// </summary>
    public static async Task SettleAsync(BenchOptions options, string name, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(options.AdminConnection) { Database = name, CommandTimeout = 0 };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(ct);
        await Execute(connection, "vacuum (analyze)", ct);
        await Execute(connection, "checkpoint", ct);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
