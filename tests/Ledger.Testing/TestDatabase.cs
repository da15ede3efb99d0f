using Npgsql;

namespace Ledger.Testing;

/// <summary>
/// A database of its own for one test collection (or one fault test), created on the PostgreSQL server that
/// ./test.sh started (or the one <c>ConnectionStrings__Ledger</c> names) and dropped afterwards. Set up as
/// <c>./run.sh</c> sets up the ledger's own: owned by the owner role, with the schema applied by the owner
/// (<c>db-apply</c>, a real process) before any host starts, so a host serves as the runtime role.
/// </summary>
/// <remarks>
/// The server's three roles come from the environment ./test.sh sets: <c>ConnectionStrings__Ledger</c> (the runtime
/// role), <c>LEDGER_TEST_OWNER_CONNECTION</c> (the owner) and <c>LEDGER_TEST_ADMIN_CONNECTION</c> (a superuser, which
/// creates and drops the databases).
/// </remarks>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string RuntimeVariable = "ConnectionStrings__Ledger";
    public const string OwnerVariable = "LEDGER_TEST_OWNER_CONNECTION";
    public const string AdminVariable = "LEDGER_TEST_ADMIN_CONNECTION";

    private readonly string _admin;

    private TestDatabase(string admin, string name, string runtime, string owner)
    {
        _admin = admin;
        Name = name;
        ConnectionString = runtime;
        OwnerConnectionString = owner;
        AdminConnectionString = On(admin, name);
    }

    public string Name { get; }

    /// <summary>How a serving host connects (<c>ConnectionStrings:Ledger</c>): the runtime role, which owns nothing.</summary>
    public string ConnectionString { get; }

    /// <summary>The owner role (<c>ConnectionStrings:LedgerOwner</c>): owns the database and the schema; schema steps only.</summary>
    public string OwnerConnectionString { get; }

    /// <summary>The server's administrator on the same database: what an intruder with full access could do.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The settings of a schema verb (<c>db-apply</c>, <c>import</c>, <c>tree-rewind</c>): both roles' connections.</summary>
    public IReadOnlyDictionary<string, string> OwnerSettings => new Dictionary<string, string>
    {
        ["ConnectionStrings:Ledger"] = ConnectionString,
        ["ConnectionStrings:LedgerOwner"] = OwnerConnectionString,
    };

    /// <summary>
    /// A database owned by the owner role; unless <paramref name="applySchema"/> is false, with the schema applied by
    /// the owner (<see cref="ApplySchemaAsync"/>), ready for a host serving as the runtime role.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(string purpose, bool applySchema = true)
    {
        var (runtime, owner, admin) = Server();
        if (string.Equals(User(runtime), User(owner), StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The tests need two roles, the runtime role ({RuntimeVariable}) and the owner ({OwnerVariable}); both name {User(runtime)}. Run ./test.sh.");
        }

        var database = await CreateOwnedByAsync(purpose, admin, runtime, owner);
        if (applySchema)
        {
            await database.ApplySchemaAsync();
        }

        return database;
    }

    /// <summary>
    /// A database with one role, as on a managed PostgreSQL with a single login: the owner role owns it, and the host
    /// serves as that same role (<see cref="ConnectionString"/> is the owner's), applying the schema itself.
    /// </summary>
    public static async Task<TestDatabase> CreateSingleRoleAsync(string purpose)
    {
        var (_, owner, admin) = Server();
        return await CreateOwnedByAsync(purpose, admin, owner, owner);
    }

    /// <summary>
    /// Applies the schema as <c>./run.sh</c> does: <c>db-apply</c> in a process of its own, as the owner, which also
    /// installs the protection and grants the runtime role its privileges.
    /// </summary>
    public async Task ApplySchemaAsync()
    {
        var run = await LedgerVerb.RunAsync(["db-apply"], OwnerSettings);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"db-apply failed with exit code {run.ExitCode}:\n{run.Output}");
        }
    }

    /// <summary>
    /// Empties the ledger (events, streams, read models, the Merkle tree, progress), as the owner and only the owner
    /// may: in one transaction it disables its protection triggers, truncates, and enables them again, so no other
    /// session ever sees them off. Wolverine's tables are left alone (a host's node lives there). Pause the async
    /// daemon around it.
    /// </summary>
    public async Task ClearLedgerAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var tables = new List<string>();
        await using (var find = new NpgsqlCommand(
                         "select c.relname from pg_class c where c.relnamespace = 'ledger'::regnamespace and c.relkind in ('r', 'p') " +
                         "and (c.relname like 'mt\\_%' or c.relname like 'merkle\\_%') order by 1", connection, transaction))
        await using (var reader = await find.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add("ledger." + reader.GetString(0));
            }
        }

        var sql = string.Concat(tables.Select(t => $"alter table {t} disable trigger user;"))
                  + $"truncate {string.Join(", ", tables)} cascade;"
                  + "alter sequence ledger.mt_events_sequence restart with 1;"
                  + string.Concat(tables.Select(t => $"alter table {t} enable trigger user;"));
        await using (var clear = new NpgsqlCommand(sql, connection, transaction))
        {
            await clear.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<TestDatabase> CreateOwnedByAsync(string purpose, string admin, string runtime, string owner)
    {
        var name = $"ledger_test_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\" owner \"{User(owner)}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new TestDatabase(admin, name, On(runtime, name), On(owner, name));
    }

    private static (string Runtime, string Owner, string Admin) Server()
    {
        var runtime = Environment.GetEnvironmentVariable(RuntimeVariable)
                      ?? throw new InvalidOperationException($"No PostgreSQL for the tests: run ./test.sh, or set {RuntimeVariable}.");
        var owner = Environment.GetEnvironmentVariable(OwnerVariable) ?? runtime;
        var admin = Environment.GetEnvironmentVariable(AdminVariable) ?? owner;
        return (runtime, owner, admin);
    }

    private static string On(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static string? User(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Username;
}
