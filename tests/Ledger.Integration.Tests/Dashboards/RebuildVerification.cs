using Ledger.Domain.Commitments;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Marten;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class RebuildVerification(LedgerFixture fixture) : DashboardTest(fixture)
{
    private async Task<VerificationReport> VerifyAsync()
    {
        var response = await Host.PostAsync("/api/projections/verify", null, Host.TokenFor("auditor"));
        response.Status.ShouldBe(200, response.Body);
        return System.Text.Json.JsonSerializer.Deserialize<VerificationReport>(response.Body, Ledger.Host.Hosting.ApiJson.Options)!;
    }

    private async Task BuildALedgerAsync()
    {
        await ImportShippedDataAsync();
        await ReportAsync("AST-2024-06", CommitmentStatus.InProgress, Now.InUtc().Date);
        await ReviewAsync("GVA-2022-1.1", "AST-2024");
        await AmendAsync("AST-2024-02", leads: ["FAO"], partners: ["UN"], countries: ["SOM"]);
        await WithdrawAsync("AST-2024-09");
        await CatchUpAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var session = Store.LightweightSession();
        session.QueueSqlCommand(sql);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task the_live_read_models_equal_a_rebuild_from_the_events()
    {
        await BuildALedgerAsync();

        var report = await VerifyAsync();

        report.Matches.ShouldBeTrue(string.Join("\n", report.Differences.Take(10)));
        report.Differences.ShouldBeEmpty();
        report.Events.ShouldBe((int)await HighWaterMarkAsync());
        report.Projections.Select(p => p.Name).ShouldContain("meeting-board");
        report.Projections.Select(p => p.Name).ShouldContain("CommitmentView");
        report.Projections.Single(p => p.Name == "meeting-board").Live.ShouldBe(2);
        report.Projections.Single(p => p.Name == "dashboard-line").Rebuilt.ShouldBe(40);
        report.Projections.Single(p => p.Name == "CommitmentView").Live.ShouldBe(40);
        report.Projections.ShouldAllBe(p => p.Live == p.Rebuilt && p.Differences == 0);
    }

    [Fact]
    public async Task a_planted_difference_is_reported_exactly_where_it_is()
    {
        await BuildALedgerAsync();
        await ExecuteAsync("update ledger.mt_doc_meetingboard set data = jsonb_set(data, '{byStatus,agreed}', '30') where id = 'GVA-2022'");

        var report = await VerifyAsync();

        report.Matches.ShouldBeFalse();
        report.Differences.ShouldBe([new DocumentDifference("meeting-board", "GVA-2022", "$.byStatus.agreed", "30", "31")]);
        report.Projections.Single(p => p.Name == "meeting-board").Differences.ShouldBe(1);
        report.Projections.Where(p => p.Name != "meeting-board").ShouldAllBe(p => p.Differences == 0);
    }

    [Fact]
    public async Task a_removed_document_and_an_edited_inline_view_are_reported()
    {
        await BuildALedgerAsync();
        await ExecuteAsync("delete from ledger.mt_doc_countrycoverage where id = 'SOM'");
        await ExecuteAsync("update ledger.mt_doc_commitmentview set data = jsonb_set(data, '{title}', '\"Quietly renamed\"') where id = 'AST-2024-03'");

        var report = await VerifyAsync();

        report.Differences.Count.ShouldBe(2);
        report.Differences.ShouldContain(d => d.Projection == "country-coverage" && d.Document == "SOM" && d.Field == "$" && d.Live == "(missing)");
        var renamed = report.Differences.Single(d => d.Projection == "CommitmentView");
        renamed.Document.ShouldBe("AST-2024-03");
        renamed.Field.ShouldBe("$.title");
        renamed.Live.ShouldBe("\"Quietly renamed\"");
        renamed.Rebuilt.ShouldBe("\"Establish a permanent UN-OIC Joint Task Force\"");
    }

    [Fact]
    public async Task stored_documents_the_rebuild_does_not_have_are_reported_with_text_and_numeric_ids()
    {
        await BuildALedgerAsync();
        await ExecuteAsync("insert into ledger.mt_doc_dashboardline (id, data) select 'ZZ-PLANTED', data from ledger.mt_doc_dashboardline order by id limit 1");
        await ExecuteAsync("insert into ledger.mt_doc_activityentry (id, data) select 999999999, jsonb_set(data, '{id}', '999999999') from ledger.mt_doc_activityentry order by id limit 1");

        var report = await VerifyAsync();

        report.Differences.Count.ShouldBe(2, string.Join("\n", report.Differences));
        report.Differences.ShouldContain(d => d.Projection == "dashboard-line" && d.Document == "ZZ-PLANTED" && d.Field == "$" && d.Rebuilt == "(missing)");
        report.Differences.ShouldContain(d => d.Projection == "activity-feed" && d.Document == "999999999" && d.Field == "$" && d.Rebuilt == "(missing)");
        var lines = report.Projections.Single(p => p.Name == "dashboard-line");
        lines.Live.ShouldBe(lines.Rebuilt + 1);
        var feed = report.Projections.Single(p => p.Name == "activity-feed");
        feed.Live.ShouldBe(feed.Rebuilt + 1);
    }

    [Fact]
    public async Task only_auditors_may_verify()
    {
        (await Host.PostAsync("/api/projections/verify", null)).Status.ShouldBe(401);
        (await Host.PostAsync("/api/projections/verify", null, Host.TokenFor("viewer"))).Status.ShouldBe(403);
        (await Host.PostAsync("/api/projections/verify", null, Host.TokenFor("secretariat"))).Status.ShouldBe(403);
    }
}
