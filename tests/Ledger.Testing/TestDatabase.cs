using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// A database of its own for one test collection (or one fault test), created on the PostgreSQL server that ./test.sh
/// started (or the one <c>ConnectionStrings__Ledger</c> names) and dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
        AdminConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>How the ledger connects: the application's role, owner of the database but no superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>The server's administrator on the same database: what an intruder with full access could do.</summary>
    public string AdminConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        var app = Environment.GetEnvironmentVariable("ConnectionStrings__Ledger");
        var admin = Environment.GetEnvironmentVariable("LEDGER_TEST_ADMIN_CONNECTION") ?? app
                    ?? throw new InvalidOperationException(
                        "No PostgreSQL for the tests: run ./test.sh, or set ConnectionStrings__Ledger.");
        var appBuilder = new NpgsqlConnectionStringBuilder(app ?? admin);
        var name = $"ledger_test_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\" owner \"{appBuilder.Username}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        appBuilder.Database = name;
        var connectionString = appBuilder.ConnectionString;
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
