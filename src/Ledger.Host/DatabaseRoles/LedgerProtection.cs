using System.Security.Cryptography;
using System.Text;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Npgsql;

namespace Ledger.Host.DatabaseRoles;

/// <summary>
/// What keeps stored events, streams, the Merkle tree and the signed tree heads as they were written. Two layers:
/// <list type="number">
/// <item><b>Privileges.</b> The runtime role owns nothing and may not create anything in the schema. It may read
/// everything; append to <c>mt_events</c>, the Merkle tables and the signed heads' tables (INSERT only); insert a stream and update only
/// what an append changes (<c>version</c> and <c>timestamp</c> of <c>mt_streams</c>); and maintain every other
/// table (read models, progression, Wolverine's tables, idempotency keys) freely.</item>
/// <item><b>Triggers</b> (<see cref="Guards"/>), owned by the owner: every role but a superuser is refused an UPDATE,
/// DELETE or TRUNCATE of an event, a Merkle row or a signed head, the removal of a stream, and any change of a stream other than a
/// growing version; and at commit, a stream whose version is not that of its last event. The owner can disable them (it owns the tables): that is its maintenance path, and exactly what
/// the hash chains and saved digests expose.</item>
/// </list>
/// Installed by the owner after every schema step (<see cref="InstallAsync"/>), under the schema lock.
/// </summary>
public static class LedgerProtection
{
    private const string Schema = LedgerStore.Schema;
    public const string EventsTable = "mt_events";
    public const string StreamsTable = "mt_streams";

    /// <summary>Tables the runtime role may only read and append to.</summary>
    public static IReadOnlyList<string> AppendOnlyTables { get; } = [EventsTable, LedgerMerkleTree.LeavesTable, LedgerMerkleTree.NodesTable, TreeHeadTables.HeadsTable, TreeHeadTables.KeysTable];

    /// <summary>The columns of <c>mt_streams</c> an append changes (Marten's <c>mt_quick_append_events</c>).</summary>
    public static IReadOnlyList<string> StreamColumnsAnAppendChanges { get; } = ["version", "timestamp"];

    /// <summary>When a protection trigger runs.</summary>
    public enum GuardTiming
    {
        /// <summary>Before each row's UPDATE or DELETE.</summary>
        BeforeRowChange,

        /// <summary>Before a TRUNCATE of the table.</summary>
        BeforeTruncate,

        /// <summary>At commit, after each row's INSERT or UPDATE (a deferred constraint trigger): checks the row against what else the transaction wrote.</summary>
        AtCommit,
    }

    /// <summary>One protection trigger: its table, its name, the function it runs, and when.</summary>
    public sealed record Guard(string Table, string Trigger, string Function, GuardTiming Timing)
    {
        public string Key => $"{Table}.{Trigger}";
    }

    private const string RefuseEventChange = "ledger_refuse_event_change";
    private const string GuardStreamChange = "ledger_guard_stream_change";
    private const string RefuseTreeChange = "ledger_refuse_tree_change";
    private const string CheckStreamVersion = "ledger_check_stream_version";
    private const string RefuseTreeHeadChange = "ledger_refuse_tree_head_change";

    public static IReadOnlyList<Guard> Guards { get; } =
    [
        new(EventsTable, "ledger_events_immutable", RefuseEventChange, GuardTiming.BeforeRowChange),
        new(EventsTable, "ledger_events_immutable_truncate", RefuseEventChange, GuardTiming.BeforeTruncate),
        new(StreamsTable, "ledger_streams_append_only", GuardStreamChange, GuardTiming.BeforeRowChange),
        new(StreamsTable, "ledger_streams_append_only_truncate", GuardStreamChange, GuardTiming.BeforeTruncate),
        new(StreamsTable, "ledger_streams_match_events", CheckStreamVersion, GuardTiming.AtCommit),
        new(LedgerMerkleTree.LeavesTable, "ledger_tree_append_only", RefuseTreeChange, GuardTiming.BeforeRowChange),
        new(LedgerMerkleTree.LeavesTable, "ledger_tree_append_only_truncate", RefuseTreeChange, GuardTiming.BeforeTruncate),
        new(LedgerMerkleTree.NodesTable, "ledger_tree_append_only", RefuseTreeChange, GuardTiming.BeforeRowChange),
        new(LedgerMerkleTree.NodesTable, "ledger_tree_append_only_truncate", RefuseTreeChange, GuardTiming.BeforeTruncate),
        new(TreeHeadTables.HeadsTable, "ledger_tree_heads_append_only", RefuseTreeHeadChange, GuardTiming.BeforeRowChange),
        new(TreeHeadTables.HeadsTable, "ledger_tree_heads_append_only_truncate", RefuseTreeHeadChange, GuardTiming.BeforeTruncate),
        new(TreeHeadTables.KeysTable, "ledger_tree_heads_append_only", RefuseTreeHeadChange, GuardTiming.BeforeRowChange),
        new(TreeHeadTables.KeysTable, "ledger_tree_heads_append_only_truncate", RefuseTreeHeadChange, GuardTiming.BeforeTruncate),
    ];

    /// <summary>The bodies of the trigger functions, exactly as installed (the inspection compares them).</summary>
    public static IReadOnlyDictionary<string, string> FunctionBodies { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RefuseEventChange] = $"""

            begin
              -- The server's administrators keep the last word (maintenance, forensics); every other role, the
              -- application's first, is refused. Whatever an administrator changes is exactly what the hash
              -- chains and saved digests expose.
              if current_setting('is_superuser') = 'on' then
                return coalesce(new, old);
              end if;
              raise exception 'ledger events are immutable: % on {Schema}.{EventsTable} refused', tg_op
                using errcode = 'insufficient_privilege',
                      hint = 'Events are never changed or removed; record a new event instead.';
            end
            """,
        [GuardStreamChange] = $"""

            begin
              if current_setting('is_superuser') = 'on' then
                return coalesce(new, old);
              end if;
              if tg_op = 'UPDATE' then
                -- An append raises the version (and sets the timestamp); nothing else changes a stream.
                if new.version > old.version
                   and (new.id, new.type, new.created, new.tenant_id, new.is_archived, new.compacted_version)
                       is not distinct from (old.id, old.type, old.created, old.tenant_id, old.is_archived, old.compacted_version) then
                  return new;
                end if;
                raise exception 'ledger streams change only by an append: update of stream % from version % to % refused', old.id, old.version, new.version
                  using errcode = 'insufficient_privilege',
                        hint = 'A stream''s version only grows, by appending events to it.';
              end if;
              raise exception 'ledger streams are never removed: % on {Schema}.{StreamsTable} refused', tg_op
                using errcode = 'insufficient_privilege',
                      hint = 'Streams and their events are never removed.';
            end
            """,
        [CheckStreamVersion] = $"""

            begin
              if current_setting('is_superuser') = 'on' then
                return null;
              end if;
              -- At commit: a stream's version is the version of its last event, so it can only have grown by
              -- appending exactly that many events (whatever order the append wrote the stream and its events in).
              if new.version is distinct from coalesce((select max(e.version) from {Schema}.{EventsTable} e where e.stream_id = new.id), 0) then
                raise exception 'ledger streams change only by an append: stream % would stand at version % without the events to match', new.id, new.version
                  using errcode = 'insufficient_privilege',
                        hint = 'A stream''s version is the number of events appended to it.';
              end if;
              return null;
            end
            """,
        [RefuseTreeChange] = $"""

            begin
              if current_setting('is_superuser') = 'on' then
                return coalesce(new, old);
              end if;
              raise exception 'the ledger''s Merkle tree is append-only: % on %.% refused', tg_op, tg_table_schema, tg_table_name
                using errcode = 'insufficient_privilege',
                      hint = 'Rewinding the tree is the owner''s maintenance step: the tree-rewind verb.';
            end
            """,
        [RefuseTreeHeadChange] = $"""

            begin
              if current_setting('is_superuser') = 'on' then
                return coalesce(new, old);
              end if;
              raise exception 'signed tree heads are never changed or removed: % on %.% refused', tg_op, tg_table_schema, tg_table_name
                using errcode = 'insufficient_privilege',
                      hint = 'Every head the ledger signed stays published, and every key that signed one; sign a new head instead.';
            end
            """,
    };

    /// <summary>SHA-256 of each function body, as the inspection computes it over <c>prosrc</c>.</summary>
    public static IReadOnlyDictionary<string, string> FunctionFingerprints { get; } = FunctionBodies.ToDictionary(
        f => f.Key, f => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(f.Value))), StringComparer.Ordinal);

    /// <summary>
    /// Installs (or refreshes) the triggers and, with <paramref name="runtimeRole"/>, sets that role's privileges to
    /// exactly the runtime's, in one transaction: a runtime host never sees half of it. Runs as the owner, after the
    /// schema is applied; idempotent.
    /// </summary>
    public static async Task InstallAsync(NpgsqlConnection connection, string? runtimeRole, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var install = new NpgsqlCommand(InstallSql(), connection, transaction))
        {
            await install.ExecuteNonQueryAsync(ct);
        }

        if (runtimeRole is not null)
        {
            await using var grant = new NpgsqlCommand("select set_config('ledger.runtime_role', @role, true)", connection, transaction);
            grant.Parameters.AddWithValue("role", runtimeRole);
            await grant.ExecuteScalarAsync(ct);
            grant.CommandText = GrantSql();
            grant.Parameters.Clear();
            await grant.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    private static string InstallSql()
    {
        var sql = new StringBuilder();
        foreach (var (function, body) in FunctionBodies)
        {
            sql.Append(CultureInvariant($"create or replace function {Schema}.{function}() returns trigger language plpgsql as $fn${body}$fn$;\n"));
        }

        foreach (var guard in Guards)
        {
            FormattableString create = guard.Timing switch
            {
                GuardTiming.BeforeTruncate =>
                    $"create or replace trigger {guard.Trigger} before truncate on {Schema}.{guard.Table} for each statement execute function {Schema}.{guard.Function}();\n",
                // Constraint triggers cannot be replaced in place: drop and create, in the same transaction.
                GuardTiming.AtCommit =>
                    $"drop trigger if exists {guard.Trigger} on {Schema}.{guard.Table};\ncreate constraint trigger {guard.Trigger} after insert or update on {Schema}.{guard.Table} deferrable initially deferred for each row execute function {Schema}.{guard.Function}();\n",
                _ => $"create or replace trigger {guard.Trigger} before update or delete on {Schema}.{guard.Table} for each row execute function {Schema}.{guard.Function}();\n",
            };
            sql.Append(CultureInvariant(create));
            sql.Append(CultureInvariant($"alter table {Schema}.{guard.Table} enable trigger {guard.Trigger};\n"));
        }

        return sql.ToString();
    }

    /// <summary>The runtime role's privileges, set from scratch on every object of the schema.</summary>
    private static string GrantSql()
    {
        var appendOnly = string.Join(", ", AppendOnlyTables.Select(t => $"'{t}'"));
        var streamColumns = string.Join(", ", StreamColumnsAnAppendChanges.Select(c => $"\"{c}\""));
        return $"""
            do $grants$
            declare
              runtime text := current_setting('ledger.runtime_role');
              r record;
            begin
              if not exists (select 1 from pg_roles where rolname = runtime) then
                raise exception 'the runtime role % does not exist: create it first (docs/operations.md, "Running on a managed PostgreSQL")', runtime;
              end if;
              if pg_has_role(runtime, (select nspowner from pg_namespace where nspname = '{Schema}'), 'USAGE') then
                raise exception 'the runtime role % owns the schema {Schema} (or is a member of its owner): it cannot be held to the runtime''s privileges', runtime;
              end if;
              execute format('revoke all on schema {Schema} from %I', runtime);
              execute format('grant usage on schema {Schema} to %I', runtime);
              for r in select c.relname, c.relkind from pg_class c
                       where c.relnamespace = '{Schema}'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S') loop
                execute format('revoke all on {Schema}.%I from %I', r.relname, runtime);
                if r.relkind = 'S' then
                  execute format('grant usage, select on sequence {Schema}.%I to %I', r.relname, runtime);
                elsif r.relkind in ('v', 'm') then
                  execute format('grant select on {Schema}.%I to %I', r.relname, runtime);
                elsif r.relname in ({appendOnly}) then
                  execute format('grant select, insert on {Schema}.%I to %I', r.relname, runtime);
                elsif r.relname = '{StreamsTable}' then
                  execute format('grant select, insert, update ({streamColumns}) on {Schema}.%I to %I', r.relname, runtime);
                else
                  execute format('grant select, insert, update, delete, truncate on {Schema}.%I to %I', r.relname, runtime);
                end if;
              end loop;
            end
            $grants$;
            """;
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
