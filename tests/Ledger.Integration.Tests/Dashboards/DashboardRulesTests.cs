using Ledger.Domain.Commitments;
using Ledger.Projections.Dashboards;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>The rules that depend on today, as pure functions: no database, no host.</summary>
public sealed class DashboardRulesTests
{
    private static readonly LocalDate Pledged = new(2024, 7, 22);

    private static DashboardLine Line(
        CommitmentStatus status = CommitmentStatus.Agreed, LocalDate? due = null, LocalDate? reported = null, bool reviewed = false) => new()
    {
        Id = "AST-2024-06",
        Meeting = "AST-2024",
        Title = "A commitment",
        Status = status,
        DueDate = due,
        PledgedOn = Pledged,
        LastReportOn = reported,
        Reviewed = reviewed,
        SortKey = "AST-002024-000006",
    };

    [Theory]
    [InlineData("2024-07-22", "Green")]
    [InlineData("2025-07-21", "Green")]
    [InlineData("2025-07-22", "Amber")]
    [InlineData("2026-07-21", "Amber")]
    [InlineData("2026-07-22", "Red")]
    [InlineData("2030-01-01", "Red")]
    public void without_a_report_the_light_follows_the_pledge_date(string today, string light) =>
        DashboardRules.LightFor(Line(), LocalDate.FromDateTime(DateTime.Parse(today, System.Globalization.CultureInfo.InvariantCulture)))
            .ShouldBe(Enum.Parse<TrafficLight>(light));

    [Fact]
    public void the_latest_report_restarts_the_clock()
    {
        var line = Line(reported: new LocalDate(2026, 1, 10));

        DashboardRules.LastActivity(line).ShouldBe(new LocalDate(2026, 1, 10));
        DashboardRules.LightFor(line, new LocalDate(2026, 7, 22)).ShouldBe(TrafficLight.Green);
        DashboardRules.LightFor(line, new LocalDate(2027, 1, 10)).ShouldBe(TrafficLight.Amber);
        DashboardRules.LightFor(line, new LocalDate(2028, 1, 10)).ShouldBe(TrafficLight.Red);
    }

    [Fact]
    public void overdue_means_due_before_today_and_makes_the_light_amber()
    {
        var line = Line(due: new LocalDate(2024, 12, 31));

        DashboardRules.IsOverdue(line, new LocalDate(2024, 12, 31)).ShouldBeFalse();
        DashboardRules.IsOverdue(line, new LocalDate(2025, 1, 1)).ShouldBeTrue();
        DashboardRules.LightFor(line, new LocalDate(2025, 1, 1)).ShouldBe(TrafficLight.Amber);
        DashboardRules.LightFor(line, new LocalDate(2026, 7, 22)).ShouldBe(TrafficLight.Red, "two years without a report outranks overdue");
        DashboardRules.IsOverdue(Line(), new LocalDate(2099, 1, 1)).ShouldBeFalse("no due date, never overdue");
    }

    [Theory]
    [InlineData(CommitmentStatus.Completed)]
    [InlineData(CommitmentStatus.Withdrawn)]
    [InlineData(CommitmentStatus.CarriedForward)]
    public void a_final_commitment_has_no_light_and_is_never_overdue(CommitmentStatus status)
    {
        var line = Line(status, due: new LocalDate(2024, 8, 1));

        DashboardRules.LightFor(line, new LocalDate(2030, 1, 1)).ShouldBe(TrafficLight.None);
        DashboardRules.IsOverdue(line, new LocalDate(2030, 1, 1)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Proposed)]
    [InlineData(CommitmentStatus.InProgress)]
    public void an_open_commitment_can_be_overdue(CommitmentStatus status) =>
        DashboardRules.IsOverdue(Line(status, due: new LocalDate(2024, 8, 1)), new LocalDate(2024, 8, 2)).ShouldBeTrue();

    [Fact]
    public void a_commitment_waits_for_review_until_a_decision_unless_it_was_withdrawn()
    {
        DashboardRules.NeedsReview(Line()).ShouldBeTrue();
        DashboardRules.NeedsReview(Line(reviewed: true)).ShouldBeFalse();
        DashboardRules.NeedsReview(Line(CommitmentStatus.Completed)).ShouldBeTrue();
        DashboardRules.NeedsReview(Line(CommitmentStatus.Withdrawn)).ShouldBeFalse();
    }

    [Fact]
    public void today_is_the_clocks_date_in_utc() =>
        DashboardRules.Today(new NodaTime.Testing.FakeClock(Instant.FromUtc(2024, 7, 24, 23, 30))).ShouldBe(new LocalDate(2024, 7, 24));
}
