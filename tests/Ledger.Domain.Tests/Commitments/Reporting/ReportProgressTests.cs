using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments.Reporting;

public class ReportProgressTests
{
    private const string Narrative = "Grain reserves pre-positioned in three provinces.";

    private static readonly LocalDate AsOf = new(2025, 3, 10);

    /// <summary>The indicators a report with this percentage complete records.</summary>
    private static IReadOnlyList<ProgressIndicator> Completion(int? percent) => percent is { } p ? [ProgressIndicators.FromPercentComplete(p)] : [];

    private readonly FakeClock clock = Given.Clock();

    private Decision Decide(Commitment current, ReportProgress report) =>
        report.Decide(current, Given.Secretariat, clock.GetCurrentInstant());

    // Every move a progress report can make, as the documented lifecycle allows it.
    [Theory]
    [InlineData(Proposed, Agreed, null)]
    [InlineData(Proposed, InProgress, 10)]
    [InlineData(Agreed, InProgress, 25)]
    [InlineData(Agreed, Completed, 100)]
    [InlineData(Agreed, Suspended, null)]
    [InlineData(InProgress, Completed, null)]
    [InlineData(InProgress, Suspended, 40)]
    [InlineData(Suspended, InProgress, 40)]
    public void A_report_moves_the_commitment_along_the_lifecycle(CommitmentStatus from, CommitmentStatus to, int? percent)
    {
        // Given a commitment in `from`
        var current = Given.CommitmentIn(from);

        // When progress is reported with status `to`
        var reported = Decide(current, new ReportProgress(to, Narrative, AsOf, percent)).ShouldYieldSingle<ProgressReported>();

        // Then exactly this event is recorded, and the commitment is in `to`
        reported.ShouldBe(new ProgressReported(
            Given.Code, to, Narrative, reported.Indicators, FactDate.Day(AsOf), Source: null, Given.Secretariat, Given.Now));
        reported.Indicators.ShouldBe(Completion(percent));
        Given.Then(current, reported).Status.ShouldBe(to);
    }

    // Every move a progress report cannot make: backwards, skipping a step, or out of a final status.
    [Theory]
    [InlineData(Proposed, Completed, "proposed")]
    [InlineData(Proposed, Suspended, "proposed")]
    [InlineData(InProgress, Agreed, "in-progress")]
    [InlineData(Suspended, Agreed, "suspended")]
    [InlineData(Suspended, Completed, "suspended")]
    [InlineData(Completed, Agreed, "completed")]
    [InlineData(Completed, InProgress, "completed")]
    [InlineData(Completed, Completed, "completed")]
    [InlineData(Completed, Suspended, "completed")]
    [InlineData(Withdrawn, Agreed, "withdrawn")]
    [InlineData(Withdrawn, InProgress, "withdrawn")]
    [InlineData(Withdrawn, Completed, "withdrawn")]
    [InlineData(Withdrawn, Suspended, "withdrawn")]
    [InlineData(CarriedForward, Agreed, "carried-forward")]
    [InlineData(CarriedForward, InProgress, "carried-forward")]
    [InlineData(CarriedForward, Completed, "carried-forward")]
    [InlineData(CarriedForward, Suspended, "carried-forward")]
    public void A_report_that_would_break_the_lifecycle_is_refused(CommitmentStatus from, CommitmentStatus to, string current)
    {
        var commitment = Given.CommitmentIn(from);

        var refusal = Decide(commitment, new ReportProgress(to, Narrative, AsOf)).ShouldBeRefusedOn("status");

        refusal.Reason.ShouldContain(current);
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Theory]
    [InlineData(Agreed)]
    [InlineData(InProgress)]
    [InlineData(Suspended)]
    public void A_report_that_keeps_the_current_status_is_accepted_without_a_transition(CommitmentStatus status)
    {
        var current = Given.CommitmentIn(status);

        var reported = Decide(current, new ReportProgress(status, Narrative, AsOf, 60)).ShouldYieldSingle<ProgressReported>();

        reported.ShouldBe(new ProgressReported(Given.Code, status, Narrative, reported.Indicators, FactDate.Day(AsOf), null, Given.Secretariat, Given.Now));
        reported.Indicators.ShouldBe(Completion(60));
        Given.Then(current, reported).ShouldBe(current);
    }

    [Theory]
    [InlineData(Withdrawn, "withdrawn")]
    [InlineData(CarriedForward, "carried-forward")]
    [InlineData(Proposed, "proposed")]
    public void A_report_cannot_set_a_status_that_has_a_command_of_its_own_or_is_only_initial(CommitmentStatus to, string described)
    {
        var refusal = Decide(Given.CommitmentIn(InProgress), new ReportProgress(to, Narrative, AsOf)).ShouldBeRefusedOn("status");

        refusal.Reason.ShouldStartWith($"a progress report cannot set {described}");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    [InlineData(int.MinValue)]
    public void A_percentage_outside_0_to_100_is_refused(int percent)
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, Narrative, AsOf, percent))
            .ShouldBeRefusedOn("percentComplete").Reason.ShouldBe("must be between 0 and 100");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void The_bounds_of_the_percentage_are_accepted(int percent)
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, Narrative, AsOf, percent))
            .ShouldYieldSingle<ProgressReported>().Indicators.ShouldBe([ProgressIndicators.FromPercentComplete(percent)]);
    }

    [Fact]
    public void A_completed_commitment_cannot_be_half_done()
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(Completed, Narrative, AsOf, 50))
            .ShouldBeRefusedOn("percentComplete").Reason.ShouldBe("a completed commitment is 100% complete");
    }

    [Fact]
    public void A_report_as_of_a_future_day_is_refused()
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, Narrative, Given.Today.PlusDays(2)))
            .ShouldBeRefusedOn("asOf").Reason.ShouldBe("cannot be in the future");
    }

    [Fact]
    public void What_counts_as_future_follows_the_clock()
    {
        var report = new ReportProgress(InProgress, Narrative, Given.Today.PlusDays(2));
        var current = Given.CommitmentIn(InProgress);

        Decide(current, report).IsRefused.ShouldBeTrue();
        clock.AdvanceDays(2);
        Decide(current, report).ShouldYieldSingle<ProgressReported>().AsOf.ShouldBe(FactDate.Day(Given.Today.PlusDays(2)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    public void An_empty_narrative_is_refused(string narrative)
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, narrative, AsOf))
            .ShouldBeRefusedOn("narrative").Reason.ShouldBe("is required");
    }

    [Fact]
    public void A_narrative_may_span_several_lines()
    {
        const string narrative = "Phase 1 done.\nPhase 2 started.";

        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, narrative, AsOf))
            .ShouldYieldSingle<ProgressReported>().Narrative.ShouldBe(narrative);
    }

    [Fact]
    public void A_narrative_longer_than_8000_characters_is_refused()
    {
        Decide(Given.CommitmentIn(InProgress), new ReportProgress(InProgress, new string('n', 8001), AsOf))
            .ShouldBeRefusedOn("narrative").Reason.ShouldBe("must be at most 8000 characters");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Decide(Given.CommitmentIn(Proposed), new ReportProgress(Completed, "", Given.Today.PlusDays(7), 50))
            .ShouldBeRefusedOnAll("narrative", "asOf", "percentComplete", "status");
    }
}
