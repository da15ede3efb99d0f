using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using JasperFx.Events;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Domain.Organizations;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// SQL views over the dashboards' read models with plain columns (no JSON to dig into), for BI tools
/// such as Grafana or Power BI, and a <c>ledger_bi_reader</c> NOLOGIN role allowed to read them and
/// nothing else. Created with the rest of the schema, after the document tables they read (docs/bi.md).
/// The role is created only when the application's database role may create roles; otherwise it is
/// skipped with a notice and an administrator creates it (docs/bi.md shows how).
/// </summary>
public sealed class BiViews(StoreOptions options) : FeatureSchemaBase("BiViews", options.Advanced.Migrator)
{
    public const string ReaderRole = "ledger_bi_reader";

    /// <summary>The views, in the order they are created.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "bi_commitments", "bi_meetings", "bi_meeting_sessions", "bi_organization_portfolio", "bi_country_coverage",
        "bi_review_queue", "bi_activity", "bi_projections",
    ];

    /// <summary>The final statuses as SQL literals in the API's spelling, from <see cref="DashboardRules.IsFinal"/>.</summary>
    private static readonly string FinalStatuses = string.Join(", ",
        Enum.GetValues<CommitmentStatus>().Where(DashboardRules.IsFinal).Select(s => $"'{ApiNames.Of(s)}'"));

    /// <summary>A stored enum name (C#'s) in the API's spelling: a CASE generated from the enum and <see cref="ApiNames"/>.</summary>
    private static string ApiName<TEnum>(string json)
        where TEnum : struct, Enum =>
        $"(case {json} {string.Join(" ", Enum.GetValues<TEnum>().Select(v => $"when '{v}' then '{ApiNames.Of(v)}'"))} end)";

    /// <summary>A rule's period as a PostgreSQL interval (ISO 8601, as NodaTime writes it: P1Y).</summary>
    private static string Interval(NodaTime.Period period) => $"interval '{period}'";

    private static readonly string[] StatusFields =
        ["total", "proposed", "agreed", "inProgress", "completed", "suspended", "withdrawn", "carriedForward"];

    public override IEnumerable<Type> DependentTypes() =>
        [typeof(DashboardLine), typeof(MeetingBoard), typeof(OrganizationPortfolio), typeof(CountryCoverage), typeof(ReviewQueueView), typeof(ActivityEntry)];

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        var schema = options.DatabaseSchemaName;
        string Table<T>() => ((IDocumentSchemaResolver)options).For<T>(true);
        var events = options.Events.DatabaseSchemaName;

        yield return new BiReaderRole(schema);

        // Enum names are stored as C# names (InProgress); the views speak the API's names (in-progress, ApiNames).
        static string Csv(string array) => $"array_to_string(array(select jsonb_array_elements_text({array})), ',')";
        static string Statuses(string counts) =>
            string.Join(", ", StatusFields.Select(s => $"({counts} ->> '{s}')::int as {Snake(s)}"));

        yield return new BiView(schema, "bi_commitments", "one row per commitment, with today's overdue flag and traffic light (UTC)", $"""
            select c.*,
                   c.status in ({FinalStatuses}) as is_final,
                   coalesce(c.status not in ({FinalStatuses}) and c.due_date < t.today, false) as is_overdue,
                   case when c.status in ({FinalStatuses}) then '{ApiNames.Of(TrafficLight.None)}'
                        when c.last_activity_on <= (t.today - {Interval(DashboardRules.RedAfter)})::date then '{ApiNames.Of(TrafficLight.Red)}'
                        when c.due_date < t.today or c.last_activity_on <= (t.today - {Interval(DashboardRules.AmberAfter)})::date then '{ApiNames.Of(TrafficLight.Amber)}'
                        else '{ApiNames.Of(TrafficLight.Green)}' end as traffic_light
            from (
                select l.id as code,
                       l.data ->> 'meeting' as meeting,
                       l.data ->> 'title' as title,
                       {ApiName<CommitmentKind>("l.data ->> 'kind'")} as kind,
                       {ApiName<CommitmentStatus>("l.data ->> 'status'")} as status,
                       {ApiName<Basis>("l.data ->> 'basis'")} as basis,
                       (l.data ->> 'workingSession')::int as working_session,
                       {Csv("l.data -> 'leads'")} as leads,
                       {Csv("l.data -> 'partners'")} as partners,
                       {Csv("l.data -> 'countries'")} as countries,
                       (l.data ->> 'dueDate')::date as due_date,
                       (l.data ->> 'pledgedOn')::date as pledged_on,
                       (l.data ->> 'lastReportOn')::date as last_report_on,
                       coalesce((l.data ->> 'lastReportOn')::date, (l.data ->> 'pledgedOn')::date) as last_activity_on,
                       (l.data ->> 'reviewed')::boolean as reviewed,
                       l.data ->> 'reviewedAt' as reviewed_at,
                       (l.data ->> 'lastChangedAt')::timestamptz as last_changed_at
                from {Table<DashboardLine>()} l
            ) c
            cross join (select (now() at time zone 'UTC')::date as today) t
            """);

        yield return new BiView(schema, "bi_meetings", "one row per meeting: its board's totals by status, kind and basis", $"""
            select b.id as meeting,
                   b.data -> 'meeting' ->> 'title' as title,
                   b.data -> 'meeting' ->> 'city' as city,
                   (b.data -> 'meeting' -> 'opens' ->> 'date')::date as opens_on,
                   b.data ->> 'reviewedBy' as reviewed_by,
                   {Statuses("b.data -> 'byStatus'")},
                   (b.data -> 'byKind' ->> 'coordination')::int as coordination,
                   (b.data -> 'byKind' ->> 'mechanism')::int as mechanism,
                   (b.data -> 'byKind' ->> 'agreement')::int as agreement,
                   (b.data -> 'byKind' ->> 'programme')::int as programme,
                   (b.data -> 'byKind' ->> 'call')::int as call,
                   (b.data -> 'byKind' ->> 'matrixLine')::int as matrix_line,
                   (b.data -> 'byBasis' ->> 'stated')::int as stated,
                   (b.data -> 'byBasis' ->> 'agendaTopic')::int as agenda_topic,
                   (b.data -> 'byBasis' ->> 'recorded')::int as recorded
            from {Table<MeetingBoard>()} b
            where b.data -> 'meeting' is not null and jsonb_typeof(b.data -> 'meeting') = 'object'
            """);

        yield return new BiView(schema, "bi_meeting_sessions", "one row per meeting and working session (null: not assigned), by status", $"""
            select b.id as meeting,
                   (s.value ->> 'number')::int as session_number,
                   s.value ->> 'title' as session_title,
                   s.ordinality::int as position,
                   {Statuses("s.value -> 'byStatus'")}
            from {Table<MeetingBoard>()} b
            cross join lateral jsonb_array_elements(b.data -> 'sessions') with ordinality s
            """);

        yield return new BiView(schema, "bi_organization_portfolio", "one row per organization and role (lead, partner), by status", $"""
            select p.id as organization,
                   p.data -> 'organization' ->> 'name' as name,
                   {ApiName<OrganizationFamily>("p.data -> 'organization' ->> 'family'")} as family,
                   r.role,
                   {Statuses("r.counts")}
            from {Table<OrganizationPortfolio>()} p
            cross join lateral (values ('lead', p.data -> 'leads'), ('partner', p.data -> 'partners')) r(role, counts)
            """);

        yield return new BiView(schema, "bi_country_coverage", "one row per country named by a commitment, by status", $"""
            select c.id as country, {Statuses("c.data -> 'byStatus'")}
            from {Table<CountryCoverage>()} c
            """);

        yield return new BiView(schema, "bi_review_queue", "one row per commitment still waiting for a review decision", $"""
            select l.data ->> 'meeting' as meeting,
                   l.id as code,
                   l.data ->> 'title' as title,
                   {ApiName<CommitmentStatus>("l.data ->> 'status'")} as status,
                   (l.data ->> 'workingSession')::int as working_session
            from {Table<DashboardLine>()} l
            where {DashboardRules.NeedsReviewSql("l.data")}
            """);

        yield return new BiView(schema, "bi_activity", "one row per event of the ledger: who did what, when", $"""
            select a.id as sequence,
                   a.data ->> 'stream' as stream,
                   a.data ->> 'commitment' as commitment,
                   a.data ->> 'type' as type,
                   a.data ->> 'summary' as summary,
                   a.data ->> 'user' as user_name,
                   a.data ->> 'organization' as organization,
                   (a.data ->> 'recordedAt')::timestamptz as recorded_at
            from {Table<ActivityEntry>()} a
            """);

        yield return new BiView(schema, "bi_projections", "one row per async projection: its position, the ledger's high-water mark, the lag", $"""
            select split_part(p.name, ':', 1) as projection,
                   p.last_seq_id as position,
                   h.high_water_mark,
                   greatest(h.high_water_mark - p.last_seq_id, 0) as lag,
                   p.last_updated
            from {events}.mt_event_progression p
            cross join (select coalesce(max(seq_id), 0) as high_water_mark from {events}.mt_events) h
            where p.name not like 'HighWater%'
            """);
    }

    private static string Snake(string camel) => string.Concat(camel.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>
    /// A view whose definition is fingerprinted in its comment, so it is recreated only when the
    /// definition changes (Weasel's own view compares the text PostgreSQL rewrites, so it would be
    /// dropped and recreated at every start). Recreating it grants it to the BI role again.
    /// </summary>
    private sealed class BiView(string schema, string name, string description, string sql) : ISchemaObject
    {
        private readonly string _fingerprint = "ledger-bi " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16];

        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            writer.WriteLine($"DROP VIEW IF EXISTS {Identifier.QualifiedName};");
            writer.WriteLine($"CREATE VIEW {Identifier.QualifiedName} AS {sql};");
            writer.WriteLine($"COMMENT ON VIEW {Identifier.QualifiedName} IS '{_fingerprint}: {description.Replace("'", "''", StringComparison.Ordinal)}';");
            writer.WriteLine($"""
                DO $bi$ BEGIN
                  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ReaderRole}') THEN
                    GRANT SELECT ON {Identifier.QualifiedName} TO {ReaderRole};
                  END IF;
                EXCEPTION WHEN insufficient_privilege THEN
                  RAISE NOTICE 'not allowed to grant {Identifier.QualifiedName} to {ReaderRole}';
                END $bi$;
                """);
        }

        public void WriteDropStatement(Migrator rules, TextWriter writer) =>
            writer.WriteLine($"DROP VIEW IF EXISTS {Identifier.QualifiedName};");

        public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append("select coalesce(obj_description(c.oid, 'pg_class'), '') from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'v' and n.nspname = ");
            builder.AppendParameter(Identifier.Schema);
            builder.Append(" and c.relname = ");
            builder.AppendParameter(Identifier.Name);
            builder.Append(';');
        }

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            if (!await reader.ReadAsync(ct))
            {
                return new SchemaObjectDelta(this, SchemaPatchDifference.Create);
            }

            var comment = reader.GetString(0);
            return new SchemaObjectDelta(
                this, comment.StartsWith(_fingerprint + ":", StringComparison.Ordinal) ? SchemaPatchDifference.None : SchemaPatchDifference.Update);
        }

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }

    /// <summary>The NOLOGIN role BI logins are granted: usage of the schema and SELECT on the views, nothing else.</summary>
    private sealed class BiReaderRole(string schema) : ISchemaObject
    {
        public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, ReaderRole, SchemaUtils.IdentifierUsage.General);

        public void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            var grants = string.Join(", ", Names.Select(v => $"{schema}.{v}"));
            writer.WriteLine($"""
                DO $bi$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ReaderRole}') THEN
                    BEGIN
                      CREATE ROLE {ReaderRole} NOLOGIN;
                    EXCEPTION
                      WHEN duplicate_object OR unique_violation THEN NULL;
                      WHEN insufficient_privilege THEN RAISE NOTICE 'not allowed to create role {ReaderRole}: an administrator creates it (docs/bi.md)';
                    END;
                  END IF;
                  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ReaderRole}') THEN
                    BEGIN
                      GRANT USAGE ON SCHEMA {schema} TO {ReaderRole};
                      IF (SELECT count(*) FROM pg_views WHERE schemaname = '{schema}' AND viewname LIKE 'bi\_%') = {Names.Count} THEN
                        GRANT SELECT ON {grants} TO {ReaderRole};
                      END IF;
                    EXCEPTION WHEN insufficient_privilege THEN
                      RAISE NOTICE 'not allowed to grant schema {schema} to {ReaderRole}';
                    END;
                  END IF;
                END $bi$;
                """);
        }

        // A role belongs to the whole cluster, not to this database's schema: it is never dropped here.
        public void WriteDropStatement(Migrator rules, TextWriter writer)
        {
        }

        public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            builder.Append("select case when exists (select 1 from pg_roles where rolname = ");
            builder.AppendParameter(ReaderRole);
            builder.Append(") then exists (select 1 from pg_namespace n where n.nspname = ");
            builder.AppendParameter(Identifier.Schema);
            builder.Append(" and has_schema_privilege(");
            builder.AppendParameter(ReaderRole);
            // Without the role, there is something to do only for a role that may create it: anyone else's check
            // (the runtime role's at start, an owner without CREATEROLE) finds nothing missing.
            builder.Append(", n.oid, 'USAGE')) else not exists (select 1 from pg_roles where rolname = current_user and (rolcreaterole or rolsuper)) end;");
        }

        public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct = default)
        {
            var ready = await reader.ReadAsync(ct) && reader.GetBoolean(0);
            return new SchemaObjectDelta(this, ready ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
        }

        public IEnumerable<DbObjectName> AllNames()
        {
            yield return Identifier;
        }
    }
}
