using Ledger.Domain.Commitments;
using Ledger.Host.Dashboards;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Marten;
using Marten.Events;
using NodaTime;
using NodaTime.Text;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>
/// Every dashboard on a business day (<c>?effectiveOn=</c>): the facts in force by that instant of business time,
/// whatever day they were recorded (the shipped data is recorded on 25 July 2024, the fixture clock's day), a local
/// time read in the meeting's own time zone (Astana: Asia/Almaty, UTC+5 since March 2024).
/// </summary>
public sealed class EffectiveOnDashboards(LedgerFixture fixture) : DashboardTest(fixture)
{
    private static string Board(string meeting, string effectiveOn) =>
        $"/api/dashboard/meetings/{meeting}?effectiveOn={Uri.EscapeDataString(effectiveOn)}";

    [Fact]
    public async Task a_local_time_on_the_astana_board_is_read_at_utc_plus_five()
    {
        await ImportShippedDataAsync();

        var nine = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22T09:00"));
        nine.EffectiveOn.ShouldNotBeNull();
        nine.EffectiveOn.InForceBy.ShouldBe(Instant.FromUtc(2024, 7, 22, 4, 0), "09:00 in Astana is 04:00 UTC");
        nine.EffectiveOn.TimeZone.ShouldBe("Asia/Almaty");
        nine.EffectiveOn.Day.ShouldBe(new LocalDate(2024, 7, 22));
        nine.Total.ShouldBe(9);

        // The pledges of 22 July count from midnight in Astana, 19:00 UTC the day before: not from 18:00 (UTC+6, Almaty's
        // offset until March 2024), nor from midnight UTC.
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22T00:00"))).Total.ShouldBe(9);
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-21T23:59"))).Total.ShouldBe(0);
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-21T19:00:00Z"))).Total.ShouldBe(9);
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-21T18:59:59Z"))).Total.ShouldBe(0);
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-21T18:30:00Z"))).Total.ShouldBe(0, "UTC+6 would have counted them");

        // Geneva's matrix, pledged in July 2022 (month only), counts from 1 July 2022 00:00 in Geneva (UTC+2 in summer).
        (await GetAsync<MeetingBoardResponse>(Board("GVA-2022", "2022-06-30T22:00:00Z"))).Total.ShouldBe(31);
        (await GetAsync<MeetingBoardResponse>(Board("GVA-2022", "2022-06-30T21:59:59Z"))).Total.ShouldBe(0);
        var geneva = await GetAsync<MeetingBoardResponse>(Board("GVA-2022", "2022-07-01T00:00"));
        geneva.EffectiveOn!.InForceBy.ShouldBe(Instant.FromUtc(2022, 6, 30, 22, 0));
        geneva.EffectiveOn.TimeZone.ShouldBe("Europe/Zurich");
    }

    [Fact]
    public async Task a_date_alone_is_the_whole_day_in_the_meetings_zone_and_the_day_the_rules_are_applied_on()
    {
        await ImportShippedDataAsync();
        await ReportAsync("AST-2024-02", CommitmentStatus.InProgress, new LocalDate(2024, 7, 23));
        await CatchUpAsync();

        var before = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-21"));
        var opening = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22"));
        var next = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-23"));

        before.Total.ShouldBe(0);
        before.Meeting.Code.ShouldBe("AST-2024", "the meeting's registration is reference data, whatever the day");
        opening.Total.ShouldBe(9);
        opening.ByStatus["proposed"].ShouldBe(6);
        opening.ByStatus["agreed"].ShouldBe(1);
        opening.ByStatus["in-progress"].ShouldBe(2);
        opening.EffectiveOn!.InForceBy.ShouldBe(Instant.FromUtc(2024, 7, 22, 19, 0) - Duration.Epsilon, "the end of 22 July in Astana");
        opening.EffectiveOn.Day.ShouldBe(new LocalDate(2024, 7, 22));
        next.ByStatus["proposed"].ShouldBe(5, "the report dated 23 July is in force on the 23rd");
        next.ByStatus["in-progress"].ShouldBe(3);

        // The live board is today's, and has no business day.
        var live = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/AST-2024");
        live.EffectiveOn.ShouldBeNull();
        Json(next with { EffectiveOn = null, Freshness = live.Freshness }).ShouldBe(Json(live), "nothing recorded was dated after the 23rd");
    }

    [Fact]
    public async Task an_offset_or_z_names_the_instant_itself()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var local = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22T09:00"));
        foreach (var form in new[] { "2024-07-22T09:00:00", "2024-07-22T09:00+05:00", "2024-07-22T09:00:00+05:00", "2024-07-22T04:00:00Z", "2024-07-22T04:00Z", "2024-07-22T06:00:00+02:00" })
        {
            var board = await GetAsync<MeetingBoardResponse>(Board("AST-2024", form));
            board.EffectiveOn!.Requested.ShouldBe(form);
            board.EffectiveOn.InForceBy.ShouldBe(local.EffectiveOn!.InForceBy, form);
            Json(board with { EffectiveOn = null, Freshness = local.Freshness }).ShouldBe(Json(local with { EffectiveOn = null }), form);
        }

        // An offset that moves the instant past midnight in Astana moves the day the rules are judged on.
        var late = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22T20:00:00Z"));
        late.EffectiveOn!.Day.ShouldBe(new LocalDate(2024, 7, 23));
    }

    [Fact]
    public async Task nothing_recorded_or_dated_after_the_business_instant_counts()
    {
        await ImportShippedDataAsync();
        var importedBy = Now;
        Clock.AdvanceMinutes(1);
        await ReviewAsync("GVA-2022-2.3", "AST-2024");
        await ReviewAsync("AST-2024-06", "AST-2024");
        await AmendAsync("AST-2024-01", session: 1);
        await AppendAsync("AST-2024-03", new CommitmentWithdrawn("AST-2024-03", "Merged into the working groups.", new LocalDate(2024, 7, 24), Secretariat, Now));
        await CatchUpAsync();

        var morning = await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-22T09:00"));
        morning.Unreviewed.ShouldBe(9, "the review decisions were recorded on 25 July");
        morning.Sessions.Single(s => s.Number is null).Total.ShouldBe(7, "the amendment filing AST-2024-01 under session 1 was recorded on 25 July");
        morning.ByStatus["withdrawn"].ShouldBe(0);
        (await GetAsync<MeetingBoardResponse>(Board("AST-2024", "2024-07-24"))).ByStatus["withdrawn"].ShouldBe(1, "withdrawn with effect from 24 July");
        (await GetAsync<MeetingBoardResponse>(Board("GVA-2022", "2024-07-22T09:00"))).Unreviewed.ShouldBe(31);

        // The same board recorded by an instant (asOf) is empty: the ledger was set up on 25 July. Both together compose.
        await Host.GetProblemAsync("/api/dashboard/meetings/AST-2024?asOf=2024-07-22T04:00:00Z", 404, AuditorToken);
        var both = await GetAsAuditorAsync<MeetingBoardResponse>(
            $"/api/dashboard/meetings/AST-2024?asOf={InstantPattern.ExtendedIso.Format(importedBy)}&effectiveOn=2024-07-24");
        both.AsOf.ShouldBe(importedBy);
        both.Unreviewed.ShouldBe(9, "recorded by the import's end, nothing was reviewed");
        both.ByStatus["withdrawn"].ShouldBe(0, "the withdrawal was recorded later");
        await Host.GetProblemAsync($"/api/dashboard/meetings/AST-2024?asOf={InstantPattern.ExtendedIso.Format(importedBy)}&effectiveOn=2024-07-24", 401);
    }

    [Fact]
    public async Task every_dashboard_takes_a_business_day()
    {
        await ImportShippedDataAsync();
        await RegisterMeetingAsync("TST-2024", null, Political);
        await PledgeAsync("TST-2024-01", ["IOFS"], countries: ["AFG"], due: new LocalDate(2024, 8, 1), pledgedOn: new LocalDate(2024, 7, 1));
        await ReviewAsync("AST-2024-07", "AST-2024");
        await CatchUpAsync();

        var iofsBefore = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS?effectiveOn=2024-07-21T18:59");
        var iofs = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS?effectiveOn=2024-07-22");
        iofsBefore.Commitments.Select(c => c.Code).ShouldBe(["TST-2024-01"]);
        iofs.Leads.Total.ShouldBe(9);
        iofs.Leads.ByStatus["in-progress"].ShouldBe(2);
        iofs.EffectiveOn!.TimeZone.ShouldBe("UTC", "a dashboard of no one meeting reads a local time in UTC");
        iofs.Freshness.Lifecycle.ShouldBe("replay");

        // Astana's pledges of 22 July are in force from 19:00 UTC on the 21st: a local time here is UTC.
        var afgBefore = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG?effectiveOn=2024-07-21T18:59");
        var afg = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG?effectiveOn=2024-07-21T19:00");
        afgBefore.Total.ShouldBe(1);
        afg.Commitments.Select(c => c.Code).ShouldBe(["AST-2024-06", "AST-2024-07", "TST-2024-01"]);
        afg.EffectiveOn!.Day.ShouldBe(new LocalDate(2024, 7, 21));

        // Overdue is judged on the business day: due 1 August, overdue from the 2nd; today (25 July) it is not.
        (await GetAsync<CommitmentListResponse>("/api/dashboard/overdue")).Total.ShouldBe(0);
        (await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?effectiveOn=2024-08-01")).Total.ShouldBe(0);
        var overdue = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?effectiveOn=2024-08-02");
        overdue.Items.Single().Code.ShouldBe("TST-2024-01");
        overdue.Today.ShouldBe(new LocalDate(2024, 8, 2));
        var inMeeting = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?meeting=TST-2024&org=IOFS&effectiveOn=2024-08-02T00:30");
        inMeeting.EffectiveOn!.TimeZone.ShouldBe("Europe/Zurich", "the list of one meeting reads a local time in its zone");
        inMeeting.Total.ShouldBe(1);
        (await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?meeting=AST-2024&effectiveOn=2024-08-02")).Total.ShouldBe(0);

        var queueBefore = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed?effectiveOn=2024-07-21");
        var queue = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed?effectiveOn=2024-07-22T09:00&pageSize=5");
        var queueNow = await GetAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed");
        queueBefore.Total.ShouldBe(0);
        queue.Total.ShouldBe(9, "the review of AST-2024-07 was recorded on 25 July");
        queue.Items.Count.ShouldBe(5);
        queue.EffectiveOn!.TimeZone.ShouldBe("Asia/Almaty");
        queue.Today.ShouldBe(new LocalDate(2024, 7, 22));
        queueNow.Total.ShouldBe(8);
        queueNow.EffectiveOn.ShouldBeNull();
    }

    [Theory]
    [InlineData("/api/dashboard/meetings/AST-2024")]
    [InlineData("/api/dashboard/meetings/AST-2024/unreviewed")]
    [InlineData("/api/dashboard/organizations/IOFS")]
    [InlineData("/api/dashboard/countries/AFG")]
    [InlineData("/api/dashboard/overdue")]
    public async Task a_value_that_is_no_business_day_is_refused_naming_the_parameter(string route)
    {
        await ImportShippedDataAsync();
        foreach (var bad in new[]
                 {
                     "yesterday", "2024-13-01", "2024-02-30", "2024-07-22T25:00", "2024-07-22T09", "22.07.2024", "2024/07/22", "20240722",
                     "2024-07-22T09:00+25:00", "2024-07-22T09:00:00.0000000000Z", "9999-12-31", "2024-07-22 09:00",
                 })
        {
            var problem = await Host.GetProblemAsync($"{route}?effectiveOn={Uri.EscapeDataString(bad)}", 400, Host.TokenFor(LedgerRoles.Viewer));
            problem.GetProperty("errors").TryGetProperty("effectiveOn", out _).ShouldBeTrue(bad);
            problem.GetProperty("detail").GetString()!.ShouldContain("effectiveOn");
        }
    }
}

/// <summary>
/// The check of the board on the morning Astana opened, on a host that seeded the meetings' data at start-up as
/// <c>run.sh</c>'s does, long after the meeting (its clock in December 2026): 22 July 2024 09:00 Astana time shows the
/// commitments made that day, with the Geneva matrix they review in force since July 2022, and nothing recorded since.
/// </summary>
[Collection(Importing.SeedingGroup.Name)]
public sealed class TheBoardOnTheMorningAstanaOpened
{
    [Fact]
    public async Task effectiveOn_2024_07_22T09_00_shows_what_was_then_in_force()
    {
        await using var database = await TestDatabase.CreateAsync("effective-on");
        var clock = new NodaTime.Testing.FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0));
        await using var host = await LedgerHost.StartAsync(database, clock, seedOnStartup: true);
        var secretariat = host.TokenFor(LedgerRoles.Secretariat);
        (await host.PostAsync("/api/commitments/GVA-2022-2.3/reviews", new { meeting = "AST-2024", rating = "delayed", decision = "continue" }, secretariat))
            .Status.ShouldBe(200);
        (await host.PostAsync("/api/commitments/AST-2024-03/progress", new { status = "agreed", narrative = "The task force was set up.", asOf = "2026-11-30" },
            host.TokenFor(LedgerRoles.Secretariat))).Status.ShouldBe(200);

        var board = await host.GetJsonAsync<MeetingBoardResponse>("/api/dashboard/meetings/AST-2024?effectiveOn=2024-07-22T09:00");
        var geneva = await host.GetJsonAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022?effectiveOn=2024-07-22T09:00");
        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var live = await host.GetJsonAsync<MeetingBoardResponse>("/api/dashboard/meetings/AST-2024");

        board.Meeting.Code.ShouldBe("AST-2024");
        board.EffectiveOn!.InForceBy.ShouldBe(Instant.FromUtc(2024, 7, 22, 4, 0));
        board.EffectiveOn.TimeZone.ShouldBe("Asia/Almaty");
        board.Total.ShouldBe(9, "the nine commitments made on 22 July");
        board.ByStatus["proposed"].ShouldBe(6);
        board.ByStatus["agreed"].ShouldBe(1);
        board.ByStatus["in-progress"].ShouldBe(2, "the progress the article reports is dated 22 July");
        board.ByBasis["stated"].ShouldBe(9);
        board.Unreviewed.ShouldBe(9);
        board.TrafficLights["green"].ShouldBe(9, "judged on 22 July 2024, not on today");
        board.Freshness.Lifecycle.ShouldBe("replay");

        geneva.Total.ShouldBe(31, "the Geneva matrix, in force since July 2022");
        geneva.ByStatus["agreed"].ShouldBe(31);
        geneva.ByBasis["agenda-topic"].ShouldBe(31);
        geneva.Unreviewed.ShouldBe(31, "its first review decision was recorded in 2026");

        live.ByStatus["agreed"].ShouldBe(2, "today's board has the report of November 2026");
        live.TrafficLights["red"].ShouldBe(8, "judged today: more than two years without a report");
    }
}
