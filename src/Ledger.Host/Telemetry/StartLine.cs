using Ledger.Host.DatabaseRoles;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace Ledger.Host.Telemetry;

/// <summary>
/// The one line a serving host prints once it listens: where, which database (server, port, name; never a password),
/// the role it connects as and the guarantees that leaves (<see cref="DatabaseSituation.Statement"/>, read from the
/// database), and where its telemetry goes. It replaces ASP.NET Core's four start-up lines
/// (<c>Microsoft.Hosting.Lifetime</c> is at Warning in appsettings.json).
/// </summary>
public sealed partial class StartLine(
    IServer server, IDocumentStore store, SchemaStep schema, TelemetryExporters exporters, ILogger<StartLine> logger) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } listening
            ? string.Join(", ", listening)
            : "(no address: an in-process server)";
        var situation = await schema.ReadAsync(cancellationToken);
        string database;
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            database = connection.ConnectionString;
        }

        var where = new NpgsqlConnectionStringBuilder(database);
        var telemetry = exporters.Describe();
        Serving(logger, addresses, where.Database ?? "?", where.Host ?? "?", where.Port, situation.Role, situation.Statement, telemetry);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Ledger serving on {Addresses}; database {Database} at {DatabaseHost}:{DatabasePort} as {Role}: {Guarantees}; telemetry: {Exporters}")]
    private static partial void Serving(
        ILogger logger, string addresses, string database, string databaseHost, int databasePort, string role, string guarantees, string exporters);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
