using Ledger.Host.Audit;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace Ledger.Host.Telemetry;

/// <summary>
/// The one line a serving host prints once it listens: where, which database (server, port, name; never a password),
/// the role it connects as and the guarantees that role leaves, and where its telemetry goes. It replaces ASP.NET
/// Core's four start-up lines (<c>Microsoft.Hosting.Lifetime</c> is at Warning in appsettings.json).
/// </summary>
public sealed partial class StartLine(
    IServer server, IDocumentStore store, TelemetryExporters exporters, ILogger<StartLine> logger) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } listening
            ? string.Join(", ", listening)
            : "(no address: an in-process server)";
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        var (role, guarantees) = await DescribeRoleAsync(connection, cancellationToken);
        var telemetry = exporters.Describe();
        Serving(logger, addresses, connection.Database, connection.Host ?? "?", connection.Port, role, guarantees, telemetry);
    }

    /// <summary>
    /// The role the host serves as and what it can and cannot do to stored events. This is the hook for the
    /// ledger's database-role detection: once it exists, the statement it makes of the situation belongs here.
    /// </summary>
    private static async Task<(string Role, string Guarantees)> DescribeRoleAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
             select current_user::text, current_setting('is_superuser') = 'on',
                    exists(select 1 from pg_trigger where tgrelid = to_regclass('{LedgerStore.Schema}.mt_events')
                           and tgname = '{EventImmutability.Trigger}' and tgenabled <> 'D')
             """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var role = reader.GetString(0);
        return (role, reader.GetBoolean(1) ? "a superuser: only the hash chains and saved digests protect stored events"
            : reader.GetBoolean(2) ? "no superuser: stored events are immutable to it"
            : "the immutability trigger is missing or disabled: only the hash chains and saved digests protect stored events");
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Ledger serving on {Addresses}; database {Database} at {DatabaseHost}:{DatabasePort} as {Role} ({Guarantees}); telemetry: {Exporters}")]
    private static partial void Serving(
        ILogger logger, string addresses, string database, string databaseHost, int databasePort, string role, string guarantees, string exporters);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
