using System.Diagnostics;
using Npgsql;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// A PostgreSQL advisory lock on the ledger's schema, per database. A schema step (<c>db-apply</c>, <c>import</c>, a
/// single-role host applying the schema at start, maintenance) holds it exclusively, so two processes starting
/// together never create or grant the same objects at once; a runtime host checking the schema at start holds it
/// shared, so it waits for a step in progress rather than seeing half of it.
/// </summary>
/// <remarks>
/// The lock lives on a connection of its own outside the pool: it ends with that session, even when the process dies.
/// </remarks>
public sealed class SchemaLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key ("LedgerSc"), distinct from Marten's and Wolverine's own.</summary>
    public const long Key = 0x4C65646765725363;

    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(2);

    private readonly NpgsqlConnection _connection;
    private readonly bool _shared;

    private SchemaLock(NpgsqlConnection connection, bool shared)
    {
        _connection = connection;
        _shared = shared;
    }

    /// <summary>Waits (at most <paramref name="wait"/>) for the lock; exclusive for a schema step, shared for a check.</summary>
    public static async Task<SchemaLock> AcquireAsync(string connectionString, bool shared, TimeSpan? wait = null, CancellationToken ct = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "ledger schema lock" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            var limit = wait ?? DefaultWait;
            var watch = Stopwatch.StartNew();
            await using var attempt = new NpgsqlCommand(
                shared ? "select pg_try_advisory_lock_shared(@key)" : "select pg_try_advisory_lock(@key)", connection);
            attempt.Parameters.AddWithValue("key", Key);
            while (await attempt.ExecuteScalarAsync(ct) is not true)
            {
                if (watch.Elapsed > limit)
                {
                    throw new TimeoutException(
                        $"Another process has held the ledger's schema lock for more than {limit.TotalSeconds:0} s (a schema step in progress); try again when it has finished.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }

            return new SchemaLock(connection, shared);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var release = new NpgsqlCommand(
                _shared ? "select pg_advisory_unlock_shared(@key)" : "select pg_advisory_unlock(@key)", _connection);
            release.Parameters.AddWithValue("key", Key);
            await release.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            // The session is gone, and the lock with it.
        }

        await _connection.DisposeAsync();
    }
}
