using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Host.Dashboards;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Dashboards;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Shouldly;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class ProjectionFreshness(LedgerFixture fixture) : DashboardTest(fixture)
{
    private static readonly string[] AsyncProjections =
    [
        "activity-feed", "commitment-checkpoints", "country-coverage", "dashboard-line", "ledger-merkle-tree", "meeting-board", "organization-portfolio", "review-queue",
    ];

    [Fact]
    public async Task once_caught_up_every_projection_is_at_the_high_water_mark()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var hwm = await HighWaterMarkAsync();

        var report = await GetAsync<ProjectionsReport>("/api/projections");

        report.HighWaterMark.ShouldBe(hwm);
        report.CheckedAt.ShouldBe(Now);
        report.Projections.Where(p => p.Lifecycle == "async").Select(p => p.Name).Order(StringComparer.Ordinal).ShouldBe(AsyncProjections);
        report.Projections.Where(p => p.Lifecycle == "inline").Select(p => p.Name).ShouldContain("CommitmentView");
        report.Projections.ShouldAllBe(p => p.Position == hwm && p.Lag == 0 && p.Status == ProjectionState.CaughtUp);
    }

    [Fact]
    public async Task the_json_says_caught_up_in_kebab_case()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var result = await Host.Scenario(s => s.Get.Url("/api/projections"));
        var json = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;

        json.GetProperty("highWaterMark").GetInt64().ShouldBeGreaterThan(0);
        var first = json.GetProperty("projections")[0];
        first.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "lifecycle", "position", "lag", "status"]);
        first.GetProperty("status").GetString().ShouldBe("caught-up");
    }

    [Fact]
    public async Task health_reports_the_projections()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var result = await Host.Scenario(s => s.Get.Url("/health"));
        var check = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.GetProperty("checks").GetProperty("projections");

        check.GetProperty("status").GetString().ShouldBe("healthy");
        check.GetProperty("description").GetString().ShouldBe("all projections caught up");
    }

    [Fact]
    public async Task a_projection_behind_the_ledger_that_stops_moving_degrades_health()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await ReviewAsync("GVA-2022-1.1", "AST-2024");
            var hwm = await HighWaterMarkAsync();

            var behind = await HealthAsync();
            behind.GetProperty("status").GetString().ShouldBe("healthy");
            behind.GetProperty("description").GetString()!.ShouldEndWith("catching up");

            Clock.AdvanceSeconds(61);
            var stalled = await HealthAsync();
            var report = await GetAsync<ProjectionsReport>("/api/projections");

            stalled.GetProperty("status").GetString().ShouldBe("degraded");
            stalled.GetProperty("description").GetString()!.ShouldContain($"meeting-board at {hwm - 1} of {hwm}");
            report.Projections.Where(p => p.Lifecycle == "async").ShouldAllBe(p => p.Status == ProjectionState.Stalled && p.Lag == 1);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await CatchUpAsync();
        (await HealthAsync()).GetProperty("status").GetString().ShouldBe("healthy");
    }

    private async Task<JsonElement> HealthAsync()
    {
        var result = await Host.Scenario(s => s.Get.Url("/health"));
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.GetProperty("checks").GetProperty("projections").Clone();
    }

    [Fact]
    public async Task a_board_some_hundreds_of_events_behind_answers_from_its_documents_and_says_how_far_behind()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var caughtUp = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            // What the daemon finds at one of its looks while a few hundred writes a second keep coming.
            const int Behind = 500;
            var commitment = await CurrentAsync("GVA-2022-1.1");
            var report = new ReportProgress(commitment.Status, "Progress as reported.", new LocalDate(2023, 6, 30))
                .Decide(commitment, Secretariat, Now);
            report.IsRefused.ShouldBeFalse(report.ToString());
            await AppendAsync("GVA-2022-1.1", [.. Enumerable.Repeat(report.Events, Behind).SelectMany(events => events)]);

            var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");

            board.Freshness.Lifecycle.ShouldBe("async", "under the replay threshold the documents answer, not a scan of the ledger");
            board.Freshness.Lag.ShouldBe(Behind * report.Events.Count);
            board.Freshness.Position.ShouldBe(caughtUp.Freshness.Position);
            board.Total.ShouldBe(caughtUp.Total);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    [Fact]
    public async Task while_the_dashboards_are_rebuilt_they_are_computed_from_the_events()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            // What a rebuild does first: the progression rows and the documents go.
            await TearDownDashboardsAsync();

            var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
            var portfolio = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS");
            var country = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG");
            var queue = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed");
            var activity = await GetAsync<ActivityResponse>("/api/dashboard/activity?limit=3");
            var projections = await GetAsync<ProjectionsReport>("/api/projections");

            board.Total.ShouldBe(31);
            board.Sessions.Select(s => s.Total).ShouldBe([8, 14, 9]);
            board.Freshness.Lifecycle.ShouldBe("replay");
            board.Freshness.Lag.ShouldBe(0);
            portfolio.Leads.Total.ShouldBe(8);
            portfolio.Freshness.Lifecycle.ShouldBe("replay");
            country.Total.ShouldBe(2);
            queue.Total.ShouldBe(9);
            activity.Items.Count.ShouldBe(3);
            activity.Freshness.Lifecycle.ShouldBe("replay");
            projections.Projections.Single(p => p.Name == "meeting-board").Status.ShouldBe(ProjectionState.CatchingUp);
            projections.Projections.Single(p => p.Name == "meeting-board").Position.ShouldBe(0);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    [Fact]
    public async Task a_rebuild_by_the_daemon_never_leaves_a_board_empty_or_wrong()
    {
        await ImportShippedDataAsync();
        foreach (var batch in Enumerable.Range(0, 10))
        {
            await using var session = Store.LightweightSession();
            var streams = new Dictionary<string, JasperFx.Events.IEventStream<Ledger.Projections.Commitments.CommitmentView>>();
            foreach (var i in Enumerable.Range(0, 100))
            {
                var code = $"GVA-2022-{(i % 3) + 1}.{(i % 8) + 1}";
                if (!streams.TryGetValue(code, out var stream))
                {
                    streams[code] = stream = await session.Events.FetchForWriting<Ledger.Projections.Commitments.CommitmentView>(code);
                }

                stream.AppendOne(new ProgressReported(
                    code, CommitmentStatus.InProgress, $"Report {batch}.{i}", [], Ledger.Domain.Common.FactDate.Day(new LocalDate(2024, 7, 24)),
                    null, Secretariat, Now));
            }

            await session.SaveChangesAsync();
        }

        await CatchUpAsync();
        var expected = Json((await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022")) with { Freshness = null! });

        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var rebuild = daemon.RebuildProjectionAsync(DashboardProjections.CompositeName, TimeSpan.FromMinutes(1), CancellationToken.None);
        var lifecycles = new List<string>();
        try
        {
            do
            {
                var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
                Json(board with { Freshness = null! }).ShouldBe(expected);
                lifecycles.Add(board.Freshness.Lifecycle);
            }
            while (!rebuild.IsCompleted);

            await rebuild;
        }
        finally
        {
            // A rebuild leaves the shard's agent stopped: start it again, as an operator would.
            await rebuild.ContinueWith(_ => { }, TaskScheduler.Default);
            await daemon.StartAgentAsync(DashboardProjections.CompositeName + ":All", CancellationToken.None);
        }

        await CatchUpAsync();
        var after = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
        Json(after with { Freshness = null! }).ShouldBe(expected);
        lifecycles.ShouldNotBeEmpty();
    }
}
