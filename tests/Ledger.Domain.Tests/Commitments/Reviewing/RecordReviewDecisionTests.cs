using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reviewing;
using Ledger.Domain.Common;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments.Reviewing;

public class RecordReviewDecisionTests
{
    private readonly FakeClock clock = Given.Clock();

    private Decision Decide(Commitment current, RecordReviewDecision review) =>
        review.Decide(current, Given.Catalog, Given.Secretariat, clock.GetCurrentInstant());

    [Fact]
    public void A_later_meeting_records_its_decision_on_an_earlier_meetings_line()
    {
        // Given a Geneva 2022 matrix line
        var line = Given.Replay(Given.GenevaLine());

        // When Astana 2024 reviews it
        var review = new RecordReviewDecision("AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue,
            "Two joint projects under way.", new LocalDate(2026, 7, 1));
        var recorded = Decide(line, review).ShouldYieldSingle<ReviewDecisionRecorded>();

        // Then exactly this decision is recorded, and the line's state is unchanged
        recorded.ShouldBe(new ReviewDecisionRecorded(
            "GVA-2022-2.3", "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, "Two joint projects under way.",
            new LocalDate(2026, 7, 1), Given.Secretariat, Given.Now));
        Given.Then(line, recorded).ShouldBe(line);
    }

    [Fact]
    public void A_meeting_may_review_its_own_commitments()
    {
        Decide(Given.CommitmentIn(InProgress), new RecordReviewDecision("AST-2024", ReviewRating.Delayed, ReviewOutcome.RequestInformation))
            .ShouldYieldSingle<ReviewDecisionRecorded>().Rating.ShouldBe(ReviewRating.Delayed);
    }

    [Fact]
    public void An_unknown_meeting_is_refused()
    {
        var refusal = Decide(Given.CommitmentIn(InProgress), new RecordReviewDecision("RUH-2026", ReviewRating.OnTrack, ReviewOutcome.Continue))
            .ShouldBeRefusedOn("meeting");

        refusal.Reason.ShouldBe("'RUH-2026' is not a known meeting");
        refusal.Kind.ShouldBe(RefusalKind.Unknown);
    }

    [Fact]
    public void A_review_without_a_meeting_is_refused_not_thrown()
    {
        Decide(Given.CommitmentIn(InProgress), new RecordReviewDecision(null!, ReviewRating.OnTrack, ReviewOutcome.Continue))
            .ShouldBeRefusedOn("meeting");
    }

    [Fact]
    public void A_commitment_cannot_be_reviewed_at_an_earlier_meeting()
    {
        Decide(Given.CommitmentIn(InProgress), new RecordReviewDecision("GVA-2022", ReviewRating.OnTrack, ReviewOutcome.Continue))
            .ShouldBeRefusedOn("meeting").Reason.ShouldBe("a commitment of AST-2024 cannot be reviewed at an earlier meeting");
    }

    [Fact]
    public void A_withdrawn_commitment_is_not_reviewed()
    {
        var refusal = Decide(Given.CommitmentIn(Withdrawn), new RecordReviewDecision("AST-2024", ReviewRating.NotStarted, ReviewOutcome.Close))
            .ShouldBeRefusedOn("status");

        refusal.Reason.ShouldContain("withdrawn");
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Theory]
    [InlineData(Proposed, "proposed")]
    [InlineData(Agreed, "agreed")]
    [InlineData(InProgress, "in-progress")]
    [InlineData(Suspended, "suspended")]
    [InlineData(CarriedForward, "carried-forward")]
    public void Completed_verified_needs_a_commitment_reported_completed(CommitmentStatus status, string described)
    {
        var refusal = Decide(Given.CommitmentIn(status), new RecordReviewDecision("AST-2024", ReviewRating.CompletedVerified, ReviewOutcome.Close))
            .ShouldBeRefusedOn("rating");

        refusal.Reason.ShouldBe($"completed-verified needs a commitment reported completed; it is {described}");
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Fact]
    public void A_completed_commitment_can_be_verified_and_closed()
    {
        var completed = Given.CommitmentIn(Completed);

        var recorded = Decide(completed, new RecordReviewDecision("AST-2024", ReviewRating.CompletedVerified, ReviewOutcome.Close))
            .ShouldYieldSingle<ReviewDecisionRecorded>();

        recorded.ShouldBe(new ReviewDecisionRecorded(
            Given.Code, "AST-2024", ReviewRating.CompletedVerified, ReviewOutcome.Close, null, null, Given.Secretariat, Given.Now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-400)]
    public void The_next_review_must_be_after_today(int daysFromToday)
    {
        Decide(Given.CommitmentIn(InProgress),
                new RecordReviewDecision("AST-2024", ReviewRating.Delayed, ReviewOutcome.Continue, NextReviewDue: Given.Today.PlusDays(daysFromToday)))
            .ShouldBeRefusedOn("nextReviewDue").Reason.ShouldBe("must be after today");
    }

    [Fact]
    public void A_next_review_tomorrow_is_accepted()
    {
        Decide(Given.CommitmentIn(InProgress),
                new RecordReviewDecision("AST-2024", ReviewRating.Delayed, ReviewOutcome.Continue, NextReviewDue: Given.Today.PlusDays(1)))
            .ShouldYieldSingle<ReviewDecisionRecorded>().NextReviewDue.ShouldBe(new LocalDate(2025, 3, 15));
    }

    [Fact]
    public void A_closed_commitment_has_no_next_review()
    {
        Decide(Given.CommitmentIn(InProgress),
                new RecordReviewDecision("AST-2024", ReviewRating.OnTrack, ReviewOutcome.Close, NextReviewDue: new LocalDate(2026, 7, 1)))
            .ShouldBeRefusedOn("nextReviewDue").Reason.ShouldBe("a closed commitment has no next review");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Decide(Given.CommitmentIn(Withdrawn),
                new RecordReviewDecision("GVA-2022", ReviewRating.OnTrack, ReviewOutcome.Close, "a\u0000b", Given.Today))
            .ShouldBeRefusedOnAll("remarks", "nextReviewDue", "nextReviewDue", "meeting", "status");
    }
}
