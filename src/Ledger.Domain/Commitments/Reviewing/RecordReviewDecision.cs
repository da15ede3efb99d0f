using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using NodaTime;

namespace Ledger.Domain.Commitments.Reviewing;

/// <summary>The secretariat's decision on a commitment, at or after a meeting that reviews it.</summary>
public sealed record RecordReviewDecision(
    string Meeting,
    ReviewRating Rating,
    ReviewOutcome Decision,
    string? Remarks = null,
    LocalDate? NextReviewDue = null)
{
    public const int RemarksMaxLength = 4000;

    public Common.Decision Decide(Commitment current, ReferenceCatalog catalog, Actor by, Instant now)
    {
        var v = new Validation()
            .Require(catalog.IsMeeting(Meeting), "meeting", $"'{Meeting}' is not a known meeting", RefusalKind.Unknown)
            .Defined<ReviewRating>(Rating, "rating")
            .Defined<ReviewOutcome>(Decision, "decision")
            .Text(Remarks, "remarks", RemarksMaxLength, required: false, multiline: true)
            .Require(NextReviewDue is null || NextReviewDue > now.InUtc().Date, "nextReviewDue", "must be after today")
            .Require(NextReviewDue is null || Decision != ReviewOutcome.Close, "nextReviewDue", "a closed commitment has no next review");

        if (MeetingCode.IsWellFormed(Meeting) && MeetingCode.Year(Meeting) < MeetingCode.Year(current.Meeting))
        {
            v.Add("meeting", $"a commitment of {current.Meeting} cannot be reviewed at an earlier meeting");
        }

        if (current.Status is CommitmentStatus.Withdrawn)
        {
            v.Add("status", "the commitment was withdrawn; there is nothing left to review", RefusalKind.NotAllowed);
        }
        else if (Rating == ReviewRating.CompletedVerified && current.Status != CommitmentStatus.Completed)
        {
            v.Add("rating", $"completed-verified needs a commitment reported completed; it is {CommitmentLifecycle.Describe(current.Status)}",
                RefusalKind.NotAllowed);
        }

        return v.Then(() => Common.Decision.Accept(new ReviewDecisionRecorded(
            current.Code, Meeting, Rating, Decision, Remarks, NextReviewDue, by, now)));
    }
}
