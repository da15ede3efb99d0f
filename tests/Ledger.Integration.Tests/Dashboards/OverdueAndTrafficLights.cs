using Ledger.Domain.Commitments;
using Ledger.Host.Dashboards;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Dashboards;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>Overdue and traffic lights depend on today: the projections store dates, the API judges them with the clock.</summary>
public sealed class OverdueAndTrafficLights(LedgerFixture fixture) : DashboardTest(fixture)
{
    private async Task PledgeTheSetAsync()
    {
        await RegisterMeetingAsync("TST-2024", null, Political);
        await RegisterMeetingAsync("OTH-2024", null, Political);
        await RegisterOrganizationsAsync("UN", "OIC", "FAO");

        // Pledged 2024-07-25 (the clock's day); due dates spread over the next two years.
        await PledgeAsync("TST-2024-01", ["UN"], due: new LocalDate(2024, 12, 31));
        await PledgeAsync("TST-2024-02", ["FAO"], partners: ["UN"], due: new LocalDate(2025, 6, 30));
        await PledgeAsync("TST-2024-03", ["OIC"], due: new LocalDate(2024, 10, 1));
        await PledgeAsync("TST-2024-04", ["OIC"]);
        await PledgeAsync("OTH-2024-01", ["FAO"], due: new LocalDate(2024, 9, 1));
        await ReportAsync("TST-2024-03", CommitmentStatus.InProgress, new LocalDate(2024, 7, 25));
        await ReportAsync("TST-2024-03", CommitmentStatus.Completed, new LocalDate(2024, 7, 25));
        await CatchUpAsync();
    }

    private void Today(int year, int month, int day) => Clock.Reset(Instant.FromUtc(year, month, day, 12, 0));

    [Fact]
    public async Task on_the_pledge_day_everything_open_is_green_and_nothing_is_overdue()
    {
        await PledgeTheSetAsync();

        var overdue = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue");
        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024");

        overdue.Items.ShouldBeEmpty();
        overdue.Total.ShouldBe(0);
        overdue.Today.ShouldBe(new LocalDate(2024, 7, 25));
        board.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 3, ["amber"] = 0, ["red"] = 0, ["none"] = 1 });
    }

    [Fact]
    public async Task past_a_due_date_a_commitment_is_overdue_and_amber_unless_it_is_final()
    {
        await PledgeTheSetAsync();
        Today(2025, 1, 15);

        var overdue = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue");
        var board = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024");

        // TST-2024-03 was due 2024-10-01 but is completed: final, never overdue.
        overdue.Items.Select(i => i.Code).ShouldBe(["OTH-2024-01", "TST-2024-01"]);
        overdue.Items.ShouldAllBe(i => i.Overdue && i.TrafficLight == TrafficLight.Amber);
        overdue.Today.ShouldBe(new LocalDate(2025, 1, 15));
        board.Overdue.ShouldBe(1);
        board.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 2, ["amber"] = 1, ["red"] = 0, ["none"] = 1 });
    }

    [Fact]
    public async Task a_board_as_of_an_instant_is_judged_on_that_day()
    {
        await PledgeTheSetAsync();
        Today(2025, 1, 15);

        var live = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024");
        var then = await GetAsAuditorAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024?asOf=2024-07-25T12:00:00Z");

        live.Overdue.ShouldBe(1);
        then.Overdue.ShouldBe(0);
        then.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 3, ["amber"] = 0, ["red"] = 0, ["none"] = 1 });
    }

    [Fact]
    public async Task a_year_without_a_report_is_amber_and_two_years_red()
    {
        await PledgeTheSetAsync();

        Today(2025, 7, 25);
        var oneYear = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024");
        oneYear.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 0, ["amber"] = 3, ["red"] = 0, ["none"] = 1 });

        Today(2026, 7, 24);
        await ReportAsync("TST-2024-04", CommitmentStatus.InProgress, new LocalDate(2026, 7, 1));
        await CatchUpAsync();
        Today(2026, 7, 25);
        var twoYears = await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/TST-2024");

        // 01 and 02: two years since the pledge; 04 reported this month.
        twoYears.TrafficLights.ShouldBe(new Dictionary<string, int> { ["green"] = 1, ["amber"] = 0, ["red"] = 2, ["none"] = 1 });
        var organization = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/OIC");
        organization.Commitments.Select(c => (c.Code, c.TrafficLight, c.LastReportOn)).ShouldBe(
        [
            ("TST-2024-03", TrafficLight.None, new LocalDate(2024, 7, 25)),
            ("TST-2024-04", TrafficLight.Green, new LocalDate(2026, 7, 1)),
        ]);
    }

    [Fact]
    public async Task the_overdue_list_filters_by_meeting_and_organization_and_pages()
    {
        await PledgeTheSetAsync();
        Today(2026, 1, 1);

        var all = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?pageSize=2");
        var second = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?pageSize=2&page=2");
        var beyond = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?pageSize=2&page=5");
        var meeting = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?meeting=tst-2024");
        var partner = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue?org=UN&meeting=TST-2024");

        all.Total.ShouldBe(3);
        all.Items.Select(i => i.Code).ShouldBe(["OTH-2024-01", "TST-2024-01"]);
        second.Items.Select(i => i.Code).ShouldBe(["TST-2024-02"]);
        beyond.Items.ShouldBeEmpty();
        beyond.Total.ShouldBe(3);
        meeting.Items.Select(i => i.Code).ShouldBe(["TST-2024-01", "TST-2024-02"]);
        partner.Items.Select(i => i.Code).ShouldBe(["TST-2024-01", "TST-2024-02"]);
        all.Items[0].ShouldBe(all.Items[0] with
        {
            Meeting = "OTH-2024",
            Kind = CommitmentKind.Programme,
            Status = CommitmentStatus.Agreed,
            DueDate = new LocalDate(2024, 9, 1),
            LastReportOn = null,
            Overdue = true,
            Reviewed = false,
        });

        await Host.GetProblemAsync("/api/dashboard/overdue?pageSize=0", 400);
        await Host.GetProblemAsync("/api/dashboard/overdue?page=0", 400);
    }

    [Fact]
    public async Task an_amended_due_date_moves_a_commitment_off_the_overdue_list()
    {
        await PledgeTheSetAsync();
        Today(2025, 1, 15);
        await AmendAsync("TST-2024-01", due: new LocalDate(2025, 12, 31));
        await CatchUpAsync();

        var overdue = await GetAsync<CommitmentListResponse>("/api/dashboard/overdue");

        overdue.Items.Select(i => i.Code).ShouldBe(["OTH-2024-01"]);
    }
}
