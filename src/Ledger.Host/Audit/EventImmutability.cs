using Ledger.Projections;
using Marten;
using Npgsql;

namespace Ledger.Host.Audit;

/// <summary>
/// Stored events cannot be changed: a trigger refuses every UPDATE, DELETE and TRUNCATE of the
/// events table by any role but the server's superusers — the application's role first. The
/// explicit maintenance path (the table's owner disabling the trigger, as the test suite does
/// between tests) and a superuser's hand are exactly what the hash chains and saved digests expose.
/// The host warns at start when it connects as a superuser, since the trigger cannot hold it back.
/// </summary>
public static class EventImmutability
{
    public const string Trigger = "ledger_events_immutable";

    private const string Table = $"{LedgerStore.Schema}.mt_events";

    private static readonly string Install = $"""
        create or replace function {LedgerStore.Schema}.ledger_refuse_event_change() returns trigger
        language plpgsql as $$
        begin
          -- The server's administrators keep the last word (maintenance, forensics); every other
          -- role, the application's first, is refused. Whatever an administrator changes is
          -- exactly what the hash chains and saved digests expose.
          if current_setting('is_superuser') = 'on' then
            return coalesce(new, old);
          end if;
          raise exception 'ledger events are immutable: % on {Table} refused', tg_op
            using errcode = 'insufficient_privilege',
                  hint = 'Events are never changed or removed; record a new event instead.';
        end
        $$;
        create or replace trigger {Trigger} before update or delete on {Table}
          for each row execute function {LedgerStore.Schema}.ledger_refuse_event_change();
        create or replace trigger {Trigger}_truncate before truncate on {Table}
          for each statement execute function {LedgerStore.Schema}.ledger_refuse_event_change();
        """;

    /// <summary>Installs (or refreshes) the triggers; safe to run at every start.</summary>
    public static async Task EnsureAsync(IDocumentStore store, CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(Install, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The maintenance path: runs <paramref name="work"/> with the triggers disabled (needs the
    /// table's owner), and puts them back whatever happens.
    /// </summary>
    public static async Task WithoutProtectionAsync(IDocumentStore store, Func<Task> work, CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await Execute(connection, $"alter table {Table} disable trigger {Trigger}; alter table {Table} disable trigger {Trigger}_truncate", ct);
        try
        {
            await work();
        }
        finally
        {
            await Execute(connection, $"alter table {Table} enable trigger {Trigger}; alter table {Table} enable trigger {Trigger}_truncate", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Installs the immutability triggers once the schema exists, before the host serves.</summary>
public sealed partial class EventImmutabilitySetup(IDocumentStore store, ILogger<EventImmutabilitySetup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EventImmutability.EnsureAsync(store, cancellationToken);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select current_setting('is_superuser') = 'on'", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            ConnectedAsSuperuser(logger, connection.UserName ?? "?");
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "The ledger connects to PostgreSQL as the superuser {Role}: stored events are protected from it only by their hash chains. Connect as a role that owns the database but is no superuser.")]
    private static partial void ConnectedAsSuperuser(ILogger logger, string role);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
