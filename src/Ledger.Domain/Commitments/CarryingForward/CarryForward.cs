using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using NodaTime;

namespace Ledger.Domain.Commitments.CarryingForward;

/// <summary>
/// Carry a commitment forward to a later meeting, which takes over its follow-up. The later meeting
/// need not be registered yet (the next one usually is not), but its code must name a later year.
/// </summary>
public sealed record CarryForward(string ToMeeting, string? Remarks = null)
{
    public Decision Decide(Commitment current, Actor by, Instant now)
    {
        var v = new Validation()
            .Text(Remarks, "remarks", CommitmentRules.ReasonMaxLength, required: false, multiline: true)
            .Require(CommitmentLifecycle.CanMove(current.Status, CommitmentStatus.CarriedForward), "status",
                CommitmentLifecycle.WhyNot(current.Status, CommitmentStatus.CarriedForward) ?? string.Empty, RefusalKind.NotAllowed);

        if (!MeetingCode.IsWellFormed(ToMeeting))
        {
            v.Add("toMeeting", "must be a meeting code like AST-2024");
        }
        else if (MeetingCode.Year(ToMeeting) <= MeetingCode.Year(current.Meeting))
        {
            v.Add("toMeeting", $"must be a meeting after {current.Meeting}");
        }

        return v.Then(() => Decision.Accept(new CommitmentCarriedForward(current.Code, ToMeeting, Remarks, by, now)));
    }
}
