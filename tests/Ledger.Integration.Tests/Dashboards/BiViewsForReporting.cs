using Ledger.Integration.Tests.Support;
using Ledger.Projections.Dashboards;
using Marten;
using Npgsql;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class BiViewsForReporting(LedgerFixture fixture) : DashboardTest(fixture)
{
    private async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var session = Store.QuerySession();
        await using var command = new NpgsqlCommand(sql, session.Connection);
        if (session.Connection.State != System.Data.ConnectionState.Open)
        {
            await session.Connection.OpenAsync();
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task the_meeting_sessions_view_has_gvas_split_in_plain_columns()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var rows = await QueryAsync(
            "select session_number, session_title, total, agreed, in_progress from ledger.bi_meeting_sessions where meeting = 'GVA-2022' order by position");

        rows.Select(r => ((int?)r[0], (int)r[2]!, (int)r[3]!, (int)r[4]!)).ShouldBe([(1, 8, 8, 0), (2, 14, 14, 0), (3, 9, 9, 0)]);
        rows[0][1].ShouldBe("Cooperation on Political Issues");
    }

    [Fact]
    public async Task every_view_reads_and_the_commitments_view_applies_todays_rules()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        foreach (var view in BiViews.Names)
        {
            (await QueryAsync($"select * from ledger.{view} limit 1")).ShouldNotBeEmpty(view);
        }

        var rows = await QueryAsync(
            "select code, status, kind, basis, leads, pledged_on, is_overdue, traffic_light, reviewed from ledger.bi_commitments order by code");
        rows.Count.ShouldBe(40);
        var sixth = rows.Single(r => (string)r[0]! == "AST-2024-06");
        sixth[1].ShouldBe("agreed");
        sixth[2].ShouldBe("agreement");
        sixth[3].ShouldBe("stated");
        sixth[4].ShouldBe("IOFS,FAO");
        sixth[5].ShouldBe(new DateOnly(2024, 7, 22));

        // The views judge against the database's today; the API's rule gives the same answer for that day.
        var today = NodaTime.LocalDate.FromDateTime(DateTime.UtcNow);
        await using var session = Store.QuerySession();
        foreach (var line in await session.Query<DashboardLine>().ToListAsync())
        {
            var row = rows.Single(r => (string)r[0]! == line.Id);
            row[7].ShouldBe(Ledger.Domain.Common.ApiNames.Of(DashboardRules.LightFor(line, today)), line.Id);
            row[6].ShouldBe(DashboardRules.IsOverdue(line, today), line.Id);
        }

        var organizations = await QueryAsync(
            "select role, total, proposed from ledger.bi_organization_portfolio where organization = 'IOFS' order by role");
        organizations.Select(r => ((string)r[0]!, (int)r[1]!, (int)r[2]!)).ShouldBe([("lead", 8, 5), ("partner", 0, 0)]);
        (await QueryAsync("select lag from ledger.bi_projections")).ShouldAllBe(r => (long)r[0]! == 0);
    }

    [Fact]
    public async Task a_read_only_role_may_read_the_views_and_nothing_else()
    {
        // Neither of the ledger's roles may create roles (NOCREATEROLE): where the server has no BI role yet, the
        // schema step skips it with a notice. An administrator creates it once (./test.sh's and ./run.sh's clusters
        // have it from the start); the next schema step, the owner's db-apply, grants the views to it.
        await using (var connection = new NpgsqlConnection(Database.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand(
                $"""
                 DO $$ BEGIN
                   CREATE ROLE {BiViews.ReaderRole} NOLOGIN;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                 END $$
                 """, connection);
            await create.ExecuteNonQueryAsync();
        }

        await Database.ApplySchemaAsync();

        var grants = await QueryAsync(
            $"select c.relname::text, a.privilege_type::text from pg_class c cross join lateral aclexplode(c.relacl) a " +
            $"where c.relnamespace = 'ledger'::regnamespace and a.grantee = '{BiViews.ReaderRole}'::regrole order by 1");
        var schema = await QueryAsync($"select has_schema_privilege('{BiViews.ReaderRole}', 'ledger', 'USAGE')");
        var events = await QueryAsync($"select has_table_privilege('{BiViews.ReaderRole}', 'ledger.mt_events', 'SELECT')");
        var role = await QueryAsync($"select rolcanlogin from pg_roles where rolname = '{BiViews.ReaderRole}'");

        grants.Select(r => (string)r[0]!).ShouldBe(BiViews.Names.Order(StringComparer.Ordinal));
        grants.ShouldAllBe(r => (string)r[1]! == "SELECT");
        schema.Single()[0].ShouldBe(true);
        events.Single()[0].ShouldBe(false);
        role.Single()[0].ShouldBe(false);
    }
}
