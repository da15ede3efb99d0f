using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Dashboards;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Dashboards;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class MeetingBoards(LedgerFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task geneva_counts_31_matrix_lines_split_8_14_9_over_astanas_working_sessions()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");

        board.Meeting.Code.ShouldBe("GVA-2022");
        board.Meeting.City.ShouldBe("Geneva");
        board.Meeting.Opens.Precision.ShouldBe(DatePrecision.Month);
        board.AsOf.ShouldBeNull();
        board.Total.ShouldBe(31);
        board.ByStatus["agreed"].ShouldBe(31);
        board.ByStatus.Keys.ShouldBe(["proposed", "agreed", "in-progress", "completed", "suspended", "withdrawn", "carried-forward"]);
        board.Sessions.Select(s => (s.Number, s.Title, s.Total)).ShouldBe(
        [
            (1, "Cooperation on Political Issues", 8),
            (2, "Cooperation on Economic and Scientific Issues", 14),
            (3, "Cooperation on Cultural, Social, and Humanitarian Issues", 9),
        ]);
        board.Sessions.ShouldAllBe(s => s.ByStatus["agreed"] == s.Total);
        board.ByKind["matrix-line"].ShouldBe(31);
        board.ByKind.Keys.ShouldBe(["coordination", "mechanism", "agreement", "programme", "call", "matrix-line"]);
        board.ByBasis.ShouldBe(new Dictionary<string, int> { ["stated"] = 0, ["agenda-topic"] = 31, ["recorded"] = 0 });
        board.Unreviewed.ShouldBe(31);
        board.Overdue.ShouldBe(0);

        // Pledged in July 2022 (month only: the 1st), never reported: two years without a report on 2024-07-25.
        board.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 0, ["amber"] = 0, ["red"] = 31, ["none"] = 0 });
        board.Freshness.Projection.ShouldBe("meeting-board");
        board.Freshness.Lifecycle.ShouldBe("async");
        board.Freshness.Lag.ShouldBe(0);
        board.Freshness.CheckedAt.ShouldBe(Now);
    }

    [Fact]
    public async Task astana_counts_its_9_commitments_with_the_unassigned_ones_last()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/ast-2024");

        board.Meeting.Code.ShouldBe("AST-2024");
        board.Meeting.StartDate.ShouldBe(new LocalDate(2024, 7, 22));
        board.Total.ShouldBe(9);
        board.ByStatus["proposed"].ShouldBe(6);
        board.ByStatus["agreed"].ShouldBe(1);
        board.ByStatus["in-progress"].ShouldBe(2);
        board.Sessions.Select(s => (s.Number, s.Total)).ShouldBe([(1, 0), (2, 0), (3, 2), (null, 7)]);
        board.Sessions[^1].Title.ShouldBe("Not assigned to a working session");
        board.ByKind["mechanism"].ShouldBe(4);
        board.ByKind["call"].ShouldBe(1);
        board.ByKind["coordination"].ShouldBe(1);
        board.ByBasis["stated"].ShouldBe(9);
        board.TrafficLights["green"].ShouldBe(9);
        board.Unreviewed.ShouldBe(9);
    }

    [Fact]
    public async Task a_hand_built_board_counts_status_by_session_kind_and_basis()
    {
        await RegisterMeetingAsync("TST-2026", null, Political, Economic);
        await PledgeAsync("TST-2026-01", ["UN"], session: 1, kind: CommitmentKind.Agreement);
        await PledgeAsync("TST-2026-02", ["UN"], session: 1, status: CommitmentStatus.Proposed);
        await PledgeAsync("TST-2026-03", ["OIC"], session: 2, kind: CommitmentKind.Call, basis: Basis.Stated);
        await PledgeAsync("TST-2026-04", ["OIC"], kind: CommitmentKind.Call);
        await ReportAsync("TST-2026-01", CommitmentStatus.InProgress, Now.InUtc().Date);
        await ReportAsync("TST-2026-01", CommitmentStatus.Completed, Now.InUtc().Date);
        await WithdrawAsync("TST-2026-02");
        await CatchUpAsync();

        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2026");

        board.Total.ShouldBe(4);
        board.ByStatus.Where(s => s.Value > 0).ShouldBe(
            new Dictionary<string, int> { ["agreed"] = 2, ["completed"] = 1, ["withdrawn"] = 1 });
        board.Sessions.Select(s => (s.Number, s.Total)).ShouldBe([(1, 2), (2, 1), (null, 1)]);
        board.Sessions[0].ByStatus["completed"].ShouldBe(1);
        board.Sessions[0].ByStatus["withdrawn"].ShouldBe(1);
        board.ByKind.Where(k => k.Value > 0).ShouldBe(
            new Dictionary<string, int> { ["agreement"] = 1, ["programme"] = 1, ["call"] = 2 });
        board.ByBasis.ShouldBe(new Dictionary<string, int> { ["stated"] = 1, ["agenda-topic"] = 0, ["recorded"] = 3 });

        // Final statuses have no light; the withdrawn one is not waiting for a review either.
        board.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 2, ["amber"] = 0, ["red"] = 0, ["none"] = 2 });
        board.Unreviewed.ShouldBe(3);
    }

    [Fact]
    public async Task a_meeting_without_sessions_of_its_own_takes_those_of_the_meeting_reviewing_it_whichever_is_registered_first()
    {
        await RegisterMeetingAsync("NEW-2026", "OLD-2024", Political, Economic, Humanitarian);
        await RegisterMeetingAsync("OLD-2024");
        await PledgeAsync("OLD-2024-2.1", ["UN"], session: 2);
        await CatchUpAsync();

        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/OLD-2024");

        board.Sessions.Select(s => (s.Number, s.Title, s.Total)).ShouldBe(
        [
            (1, Political.Title, 0),
            (2, Economic.Title, 1),
            (3, Humanitarian.Title, 0),
        ]);
    }

    [Fact]
    public async Task an_unknown_meeting_is_a_404_problem_and_a_bad_instant_a_400()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        await Host.GetProblemAsync("/api/dashboard/meetings/NOPE-2030", 404);
        await Host.GetProblemAsync("/api/dashboard/meetings/AST-2024?asOf=yesterday", 400, AuditorToken);
        await Host.GetProblemAsync("/api/dashboard/meetings/NOPE-2030/unreviewed", 404);
    }

    [Fact]
    public async Task every_dashboard_answer_says_how_fresh_it_is()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var hwm = await HighWaterMarkAsync();

        Freshness[] all =
        [
            (await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/AST-2024")).Freshness,
            (await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS")).Freshness,
            (await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG")).Freshness,
            (await GetAsync<CommitmentListResponse>("/api/dashboard/overdue")).Freshness,
            (await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed")).Freshness,
            (await GetAsync<ActivityResponse>("/api/dashboard/activity")).Freshness,
        ];

        all.Select(f => f.Projection).ShouldBe(
            [DashboardProjections.BoardName, DashboardProjections.PortfolioName, DashboardProjections.CoverageName,
             DashboardProjections.LineName, DashboardProjections.QueueName, DashboardProjections.ActivityName]);
        all.ShouldAllBe(f => f.Lifecycle == "async" && f.Position == hwm && f.HighWaterMark == hwm && f.Lag == 0);
    }
}
