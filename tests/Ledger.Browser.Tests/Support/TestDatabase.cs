using Npgsql;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// A database of its own for the browser tests, created on the PostgreSQL server that ./test.sh
/// started (or the one <c>ConnectionStrings__Ledger</c> names) and dropped afterwards.
/// A small copy of the integration tests' one, so the two test projects stay independent.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        var admin = Environment.GetEnvironmentVariable("LEDGER_TEST_ADMIN_CONNECTION")
                    ?? Environment.GetEnvironmentVariable("ConnectionStrings__Ledger")
                    ?? throw new InvalidOperationException(
                        "No PostgreSQL for the browser tests: run ./test.sh, or set ConnectionStrings__Ledger.");
        var name = $"ledger_test_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDatabase(admin, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
