using Ledger.Domain.Commitments;
using Ledger.Host.Dashboards;
using Ledger.Integration.Tests.Support;
using NodaTime;
using NodaTime.Text;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class AsOfBoards(LedgerFixture fixture) : DashboardTest(fixture)
{
    private static string At(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    [Fact]
    public async Task the_board_as_of_an_instant_before_a_review_is_unchanged_after_it()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var beforeReview = Now;
        var asOfBefore = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/GVA-2022?asOf={At(beforeReview)}");
        var importedUpTo = await HighWaterMarkAsync();

        Clock.AdvanceMinutes(30);
        var review = await Host.PostAsync(
            "/api/commitments/GVA-2022-2.3/reviews",
            new { meeting = "AST-2024", rating = "delayed", decision = "continue" },
            Host.TokenFor("secretariat"));
        review.Status.ShouldBe(200, review.Body);
        await CatchUpAsync();

        var live = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
        live.Unreviewed.ShouldBe(30);
        live.Freshness.Lag.ShouldBe(0);
        var activity = await GetAsync<ActivityResponse>("/api/dashboard/activity?limit=1");
        activity.Items.Single().Type.ShouldBe("review-decision-recorded");
        activity.Items.Single().Commitment.ShouldBe("GVA-2022-2.3");

        var asOfAfter = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/GVA-2022?asOf={At(beforeReview)}");
        asOfBefore.Unreviewed.ShouldBe(31);
        Json(asOfAfter with { Freshness = asOfBefore.Freshness }).ShouldBe(Json(asOfBefore), "the past does not change");
        asOfAfter.AsOf.ShouldBe(beforeReview);
        asOfAfter.Freshness.Lifecycle.ShouldBe("replay");
        asOfAfter.Freshness.Position.ShouldBe(importedUpTo);
        asOfAfter.Freshness.HighWaterMark.ShouldBe(importedUpTo + 1);
        asOfAfter.Freshness.Lag.ShouldBe(1);

        var asOfNow = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/GVA-2022?asOf={At(Now)}");
        asOfNow.Unreviewed.ShouldBe(30);
        asOfNow.Freshness.Position.ShouldBe(importedUpTo + 1);
    }

    [Fact]
    public async Task the_board_as_of_now_equals_the_live_board()
    {
        await RegisterMeetingAsync("TST-2026", null, Political, Economic, Humanitarian);
        await RegisterMeetingAsync("OTH-2026", null, Political);
        await PledgeAsync("TST-2026-01", ["UN"], session: 1, due: new LocalDate(2024, 9, 1));
        await PledgeAsync("TST-2026-02", ["OIC"], session: 2, kind: CommitmentKind.Mechanism);
        await PledgeAsync("OTH-2026-01", ["OIC"], session: 1);
        await PledgeAsync("TST-2026-03", ["OIC"], countries: ["AFG"]);
        await AmendAsync("TST-2026-02", session: 3);
        await ReportAsync("TST-2026-03", CommitmentStatus.InProgress, new LocalDate(2024, 7, 20));
        await ReviewAsync("TST-2026-01", "TST-2026");
        await WithdrawAsync("TST-2026-02");
        await CatchUpAsync();
        Clock.AdvanceDays(60);

        var live = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2026");
        var asOf = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/TST-2026?asOf={At(Now)}");

        Json(asOf with { AsOf = null, Freshness = live.Freshness }).ShouldBe(Json(live));
        asOf.AsOf.ShouldBe(Now);
        live.Overdue.ShouldBe(1);
        live.Sessions.Select(s => (s.Number, s.Total)).ShouldBe([(1, 1), (2, 0), (3, 1), (null, 1)]);
    }

    [Fact]
    public async Task the_board_as_of_an_instant_replays_only_what_was_recorded_by_then()
    {
        await RegisterMeetingAsync("TST-2026", null, Political);
        await PledgeAsync("TST-2026-01", ["UN"], session: 1);
        var afterFirst = Now - Duration.FromSeconds(1);
        await PledgeAsync("TST-2026-02", ["UN"], session: 1);
        await ReportAsync("TST-2026-01", CommitmentStatus.InProgress, Now.InUtc().Date);
        var afterReport = Now - Duration.FromSeconds(1);
        await ReviewAsync("TST-2026-01", "TST-2026");
        await CatchUpAsync();

        var first = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/TST-2026?asOf={At(afterFirst)}");
        var reported = await GetAsAuditorAsync<MeetingBoardResponse>($"/api/dashboard/meetings/tst-2026?asOf={At(afterReport)}");
        var offset = await GetAsAuditorAsync<MeetingBoardResponse>(
            "/api/dashboard/meetings/TST-2026?asOf=" + Uri.EscapeDataString(OffsetDateTimePattern.ExtendedIso.Format(
                afterReport.InZone(DateTimeZoneProviders.Tzdb["Asia/Almaty"]).ToOffsetDateTime())));

        first.Total.ShouldBe(1);
        first.ByStatus["agreed"].ShouldBe(1);
        reported.Total.ShouldBe(2);
        reported.ByStatus["in-progress"].ShouldBe(1);
        reported.Unreviewed.ShouldBe(2);
        Json(offset with { Freshness = reported.Freshness }).ShouldBe(Json(reported));
        (await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2026")).Unreviewed.ShouldBe(1);
    }

    [Fact]
    public async Task before_its_meeting_was_registered_a_board_is_not_found()
    {
        var before = Now;
        Clock.AdvanceMinutes(1);
        await ImportShippedDataAsync();

        await Host.GetProblemAsync($"/api/dashboard/meetings/AST-2024?asOf={At(before)}", 404, AuditorToken);
    }
}
