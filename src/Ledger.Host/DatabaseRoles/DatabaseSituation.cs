using Ledger.Projections;
using Npgsql;

namespace Ledger.Host.DatabaseRoles;

/// <summary>How the ledger's role stands in its database.</summary>
public enum RoleMode
{
    /// <summary>The role owns nothing and holds the runtime's privileges: every guarantee holds.</summary>
    Runtime,

    /// <summary>The role owns the schema (or may create it): it applies the schema itself, and may also disable the protection.</summary>
    SingleRole,

    /// <summary>The role is a superuser: neither privileges nor triggers hold it back.</summary>
    Superuser,
}

/// <summary>A protection trigger as found: enabled, disabled, missing, or running a function that is not the ledger's.</summary>
public enum GuardState
{
    Enabled,
    Disabled,
    Missing,
    Altered,
}

/// <summary>
/// What the database says about the role this process connects as, read in one statement from the catalog (cheap
/// enough for every <c>/health</c> call): is it a superuser, does it own the schema, are the protection triggers
/// installed and enabled, does it hold more (or less) than the runtime's privileges. No flag to forget: the host
/// decides from this what to do at start, and says which guarantees do not hold.
/// </summary>
public sealed record DatabaseSituation(
    string Role,
    bool Superuser,
    bool SchemaExists,
    string? SchemaOwner,
    bool MayChangeSchema,
    IReadOnlyDictionary<string, GuardState> Guards,
    IReadOnlyList<string> Excess,
    IReadOnlyList<string> Missing)
{
    public RoleMode Mode => Superuser ? RoleMode.Superuser : MayChangeSchema ? RoleMode.SingleRole : RoleMode.Runtime;

    /// <summary>Every protection trigger is installed, enabled and runs the ledger's function.</summary>
    public bool ProtectionIntact => Guards.Values.All(g => g == GuardState.Enabled);

    /// <summary>The guarantees that do not hold in this situation, in words (empty when they all hold).</summary>
    public IReadOnlyList<string> NotHolding
    {
        get
        {
            var list = new List<string>();
            switch (Mode)
            {
                case RoleMode.Superuser:
                    list.Add($"{Role} is a superuser: neither privileges nor the protection triggers hold it back; it may change or remove any stored event, stream or Merkle row, and only the hash chains and saved digests would reveal it");
                    break;
                case RoleMode.SingleRole:
                    list.Add($"{Role} owns the schema {LedgerStore.Schema}: it may disable the protection triggers (ALTER TABLE … DISABLE TRIGGER) and then update, delete or truncate stored events, streams and the Merkle tree; only the hash chains and saved digests would reveal it");
                    list.Add($"the host changes the schema with the role it serves with; give it a runtime role and run db-apply with ConnectionStrings:{LedgerConnections.OwnerName} for two roles");
                    break;
                case RoleMode.Runtime:
                    list.AddRange(Excess.Select(e => $"{Role} holds {e}, beyond the runtime role's privileges"));
                    break;
            }

            list.AddRange(Guards.Where(g => g.Value != GuardState.Enabled)
                .Select(g => $"the protection trigger {g.Key} is {g.Value.ToString().ToLowerInvariant()}"));
            return list;
        }
    }

    /// <summary>One sentence for <c>/health</c> and <c>describe</c>.</summary>
    public string Statement => Mode switch
    {
        _ when !ProtectionIntact => "the protection is not intact: " + string.Join("; ", NotHolding),
        RoleMode.Runtime when Excess.Count == 0 =>
            $"two roles: {Role} may append events and maintain read models, and cannot change or remove stored events, streams or Merkle rows; the schema belongs to {SchemaOwner}",
        _ => "guarantees that do not hold: " + string.Join("; ", NotHolding),
    };

    /// <summary>Reads the situation of the connection's role.</summary>
    public static async Task<DatabaseSituation> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Query, connection);
        command.Parameters.AddWithValue("schema", LedgerStore.Schema);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var role = reader.GetString(0);
        var superuser = reader.GetBoolean(1);
        var schemaOwner = reader.IsDBNull(2) ? null : reader.GetString(2);
        var mayChange = reader.GetBoolean(3);
        var excess = reader.GetFieldValue<string[]>(4);
        var missing = reader.GetFieldValue<string[]>(5);
        var found = new Dictionary<string, (char Enabled, string Function, string Fingerprint)>(StringComparer.Ordinal);
        foreach (var line in reader.GetFieldValue<string[]>(6))
        {
            var parts = line.Split(' ');
            found[parts[0]] = (parts[1][0], parts[2], parts[3]);
        }

        var guards = LedgerProtection.Guards.ToDictionary(g => g.Key, g => found.TryGetValue(g.Key, out var f)
            ? f.Function != $"{LedgerStore.Schema}.{g.Function}" || f.Fingerprint != LedgerProtection.FunctionFingerprints[g.Function] ? GuardState.Altered
            : f.Enabled == 'D' ? GuardState.Disabled
            : GuardState.Enabled
            : GuardState.Missing, StringComparer.Ordinal);
        return new DatabaseSituation(role, superuser, schemaOwner is not null, schemaOwner, mayChange, guards, excess, missing);
    }

    public Dictionary<string, object> ToData() => new(StringComparer.Ordinal)
    {
        ["mode"] = Mode switch { RoleMode.Runtime => "two-roles", RoleMode.SingleRole => "single-role", _ => "superuser" },
        ["role"] = Role,
        ["schemaOwner"] = SchemaOwner ?? "(no schema)",
        ["protection"] = Guards.ToDictionary(g => g.Key, g => g.Value.ToString().ToLowerInvariant(), StringComparer.Ordinal),
        ["notHolding"] = NotHolding,
    };

    private static readonly string Query = BuildQuery();

    private static string BuildQuery()
    {
        static string Rel(string table) => $"to_regclass('{LedgerStore.Schema}.{table}')";
        var excess = new List<string>();
        foreach (var table in LedgerProtection.AppendOnlyTables)
        {
            foreach (var privilege in new[] { "UPDATE", "DELETE", "TRUNCATE", "TRIGGER" })
            {
                excess.Add($"case when has_table_privilege({Rel(table)}, '{privilege}') then '{privilege} on {table}' end");
            }
        }

        foreach (var privilege in new[] { "DELETE", "TRUNCATE", "TRIGGER" })
        {
            excess.Add($"case when has_table_privilege({Rel(LedgerProtection.StreamsTable)}, '{privilege}') then '{privilege} on {LedgerProtection.StreamsTable}' end");
        }

        var appendColumns = string.Join(", ", LedgerProtection.StreamColumnsAnAppendChanges.Select(c => $"'{c}'"));
        excess.Add($"""
            (select 'UPDATE of ' || string_agg(a.attname, ', ' order by a.attnum) || ' on {LedgerProtection.StreamsTable}'
             from pg_attribute a where a.attrelid = {Rel(LedgerProtection.StreamsTable)} and a.attnum > 0 and not a.attisdropped
               and a.attname not in ({appendColumns}) and has_column_privilege(a.attrelid, a.attnum, 'UPDATE'))
            """);
        excess.Add("case when has_schema_privilege(n.oid, 'CREATE') then 'CREATE on the schema' end");
        excess.Add("""
            (select 'ownership of ' || string_agg(o.name, ', ' order by o.name) from (
               select c.relname::text as name from pg_class c where c.relnamespace = n.oid and pg_has_role(c.relowner, 'USAGE')
               union all
               select p.proname::text || '()' from pg_proc p where p.pronamespace = n.oid and pg_has_role(p.proowner, 'USAGE')) o)
            """);

        var appendOnly = string.Join(", ", LedgerProtection.AppendOnlyTables.Select(t => $"'{t}'"));
        return $"""
            select current_user::text,
                   current_setting('is_superuser') = 'on',
                   (select r.rolname::text from pg_roles r where r.oid = n.nspowner),
                   case when n.oid is null then has_database_privilege(current_database(), 'CREATE')
                        else pg_has_role(n.nspowner, 'USAGE') end,
                   case when n.oid is null or pg_has_role(n.nspowner, 'USAGE') then array[]::text[]
                        else array_remove(array[{string.Join(",\n                                      ", excess)}]::text[], null) end,
                   array(select c.relname::text from pg_class c
                         where c.relnamespace = n.oid and c.relkind in ('r', 'p', 'v', 'm', 'S') and not (
                           case when c.relkind = 'S' then has_sequence_privilege(c.oid, 'USAGE')
                                when c.relkind in ('v', 'm') then has_table_privilege(c.oid, 'SELECT')
                                when c.relname in ({appendOnly}) then has_table_privilege(c.oid, 'SELECT') and has_table_privilege(c.oid, 'INSERT')
                                when c.relname = '{LedgerProtection.StreamsTable}' then has_table_privilege(c.oid, 'SELECT') and has_table_privilege(c.oid, 'INSERT')
                                     and has_column_privilege(c.oid, 'version', 'UPDATE')
                                else has_table_privilege(c.oid, 'SELECT') and has_table_privilege(c.oid, 'INSERT')
                                     and has_table_privilege(c.oid, 'UPDATE') and has_table_privilege(c.oid, 'DELETE')
                           end) order by 1),
                   array(select c.relname || '.' || t.tgname || ' ' || t.tgenabled::text || ' ' || p.pronamespace::regnamespace::text || '.' || p.proname || ' ' || encode(sha256(convert_to(p.prosrc, 'UTF8')), 'hex')
                         from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
                         where c.relnamespace = n.oid and not t.tgisinternal)
            from (select 1) one
            left join pg_namespace n on n.nspname = @schema
            """;
    }
}
