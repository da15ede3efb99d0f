using Ledger.Projections;
using Marten;
using Npgsql;
using Weasel.Core;
using Weasel.Core.Migrations;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// The schema: applied by the role that owns it, checked by the runtime role, never changed by it.
/// <list type="bullet">
/// <item><see cref="ApplyAsync"/> (the owner): under the exclusive <see cref="SchemaLock"/>, every database the Critter
/// Stack configures (Marten's event store and read models, Wolverine's message storage) is brought up to date, then
/// the protection is installed and the runtime role's privileges set again (so tables added since get them).</item>
/// <item><see cref="PrepareAsync"/> (a host at start, and the verbs that need the schema): reads from the database
/// what this process's role is. A role that may change the schema (its owner, as on a managed PostgreSQL with one
/// login, or a superuser) applies it, as the ledger always did, and the host says once which guarantees then do
/// not hold. A runtime role never runs DDL: it checks the schema, the protection and its own privileges, and refuses
/// to go on when one is not as it should be.</item>
/// </list>
/// </summary>
public sealed partial class SchemaStep(
    IServiceProvider services, LedgerConnections connections, IDocumentStore store, ILogger<SchemaStep> logger)
{
    /// <summary>Applies the schema and the protection as this process's role (the owner's, or the single role's).</summary>
    public async Task ApplyAsync(CancellationToken ct)
    {
        await using var gate = await SchemaLock.AcquireAsync(connections.Store, shared: false, ct: ct);
        foreach (var database in await DatabasesAsync())
        {
            await database.ApplyAllConfiguredChangesToDatabaseAsync(ct: ct);
        }

        await using var connection = await OpenAsync(ct);
        await LedgerProtection.InstallAsync(connection, connections.RuntimeRoleToGrant, ct);
    }

    /// <summary>Applies the schema when this role may, else checks it; returns the situation the process then runs in.</summary>
    public async Task<DatabaseSituation> PrepareAsync(CancellationToken ct)
    {
        var situation = await ReadAsync(ct);
        if (situation.Mode != RoleMode.Runtime)
        {
            await ApplyAsync(ct);
            situation = await ReadAsync(ct);
            if (!connections.ConnectsAsOwner)
            {
                SchemaChangedByServingRole(logger, situation.Role, string.Join("; ", situation.NotHolding));
            }

            return situation;
        }

        // Wait for a schema step in progress (another process's db-apply) rather than see half of it.
        await using (await SchemaLock.AcquireAsync(connections.Store, shared: true, ct: ct))
        {
            situation = await ReadAsync(ct);
            var problems = await ProblemsAsync(situation, ct);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The ledger's database is not ready for the runtime role {situation.Role}: {string.Join("; ", problems)}. " +
                    $"Run `db-apply` with ConnectionStrings:{LedgerConnections.OwnerName} (the owner's connection; ./run.sh does it), then start again.");
            }
        }

        RuntimeRoleReady(logger, situation.Role, situation.SchemaOwner ?? "?");
        return situation;
    }

    /// <summary>The situation of this process's role, read from the database.</summary>
    public async Task<DatabaseSituation> ReadAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await DatabaseSituation.ReadAsync(connection, ct);
    }

    private async Task<List<string>> ProblemsAsync(DatabaseSituation situation, CancellationToken ct)
    {
        var problems = new List<string>();
        if (!situation.SchemaExists)
        {
            problems.Add($"the schema {LedgerStore.Schema} does not exist");
            return problems;
        }

        foreach (var database in await DatabasesAsync())
        {
            var migration = await database.CreateMigrationAsync(ct);
            if (migration.Difference != SchemaPatchDifference.None)
            {
                var outdated = migration.Deltas.Where(d => d.Difference != SchemaPatchDifference.None)
                    .Select(d => $"{d.SchemaObject.Identifier.QualifiedName} ({d.Difference.ToString().ToLowerInvariant()})");
                problems.Add($"{database.Describe().SubjectUri} is missing or outdated: {string.Join(", ", outdated)}");
            }
        }

        problems.AddRange(situation.Guards.Where(g => g.Value != GuardState.Enabled)
            .Select(g => $"the protection trigger {g.Key} is {g.Value.ToString().ToLowerInvariant()}"));
        if (situation.Excess.Count > 0)
        {
            problems.Add($"it holds more than the runtime's privileges ({string.Join(", ", situation.Excess)})");
        }

        if (situation.Missing.Count > 0)
        {
            problems.Add($"it lacks its privileges on {string.Join(", ", situation.Missing)}");
        }

        return problems;
    }

    /// <summary>Every database the Critter Stack configures, as <c>db-apply</c> finds them.</summary>
    private async Task<List<IDatabase>> DatabasesAsync()
    {
        var databases = services.GetServices<IDatabase>().ToList();
        foreach (var source in services.GetServices<IDatabaseSource>())
        {
            databases.AddRange(await source.BuildDatabases());
        }

        return databases;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "The ledger connects to PostgreSQL as {Role}, which may change its schema: it applied the schema itself. Guarantees that do not hold: {NotHolding}. See docs/operations.md (database roles).")]
    private static partial void SchemaChangedByServingRole(ILogger logger, string role, string notHolding);

    // Debug: a serving host's start line says it (Telemetry/StartLine.cs).
    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug,
        Message = "The ledger connects to PostgreSQL as the runtime role {Role}; the schema, owned by {Owner}, is up to date and protected")]
    private static partial void RuntimeRoleReady(ILogger logger, string role, string owner);
}

/// <summary>Prepares the database before anything else starts (Wolverine's agents, the async daemon, the seed).</summary>
public sealed class DatabaseStartup(SchemaStep step) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => step.PrepareAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
