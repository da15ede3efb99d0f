using Ledger.Domain.Commitments;
using Ledger.Host.Dashboards;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class ReviewQueueAndActivity(LedgerFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task the_review_queue_lists_a_meetings_commitments_without_a_review_decision()
    {
        await ImportShippedDataAsync();
        await ReviewAsync("GVA-2022-1.1", "AST-2024");
        await ReviewAsync("GVA-2022-1.2", "AST-2024", ReviewRating.NotStarted, ReviewOutcome.CarryForward);
        await CatchUpAsync();

        var first = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/GVA-2022/unreviewed?pageSize=10");
        var last = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/gva-2022/unreviewed?pageSize=10&page=3");
        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");

        first.Total.ShouldBe(29);
        first.Items.Count.ShouldBe(10);
        first.Items[0].Code.ShouldBe("GVA-2022-1.3");
        first.Items.ShouldAllBe(i => !i.Reviewed);
        last.Items.Select(i => i.Code).ShouldBe(["GVA-2022-3.1", "GVA-2022-3.2", "GVA-2022-3.3", "GVA-2022-3.4", "GVA-2022-3.5",
            "GVA-2022-3.6", "GVA-2022-3.7", "GVA-2022-3.8", "GVA-2022-3.9"]);
        board.Unreviewed.ShouldBe(29);
        first.Freshness.Projection.ShouldBe("review-queue");
    }

    [Fact]
    public async Task the_activity_feed_shows_the_latest_changes_newest_first_and_pages_by_sequence()
    {
        await RegisterMeetingAsync("TST-2026", null, Political);
        await RegisterOrganizationsAsync("UN");
        await PledgeAsync("TST-2026-01", ["UN"], status: CommitmentStatus.Proposed);
        await ReportAsync("TST-2026-01", CommitmentStatus.InProgress, Now.InUtc().Date);
        await ReviewAsync("TST-2026-01", "TST-2026", ReviewRating.Delayed, ReviewOutcome.RequestInformation);
        await CatchUpAsync();
        var hwm = await HighWaterMarkAsync();

        var feed = await GetAsync<ActivityResponse>("/api/dashboard/activity");
        var older = await GetAsync<ActivityResponse>($"/api/dashboard/activity?limit=2&before={feed.Items[1].Sequence}");

        feed.Items.Select(i => i.Type).ShouldBe(
            ["review-decision-recorded", "progress-reported-v2", "commitment-pledged", "organization-registered", "meeting-registered"]);
        feed.Items.Select(i => i.Sequence).ShouldBe([hwm, hwm - 1, hwm - 2, hwm - 3, hwm - 4]);
        var review = feed.Items[0];
        review.Stream.ShouldBe("TST-2026-01");
        review.Commitment.ShouldBe("TST-2026-01");
        review.Summary.ShouldBe("TST-2026-01 reviewed at TST-2026: delayed, decision request-information");
        review.User.ShouldBe("sec.officer");
        review.Organization.ShouldBe("UN");
        review.RecordedAt.ShouldBe(Now.Minus(NodaTime.Duration.FromMinutes(1)));
        feed.Items[1].Summary.ShouldBe($"TST-2026-01 reported in-progress as of {LedgerHost.Start.InUtc().Date:yyyy-MM-dd}");
        feed.Items[4].Commitment.ShouldBeNull();
        feed.Items[4].Stream.ShouldBe("meeting:TST-2026");
        older.Items.Select(i => i.Type).ShouldBe(["commitment-pledged", "organization-registered"]);

        await Host.GetProblemAsync("/api/dashboard/activity?limit=0", 400);
        await Host.GetProblemAsync("/api/dashboard/activity?limit=1000", 400);
    }
}
