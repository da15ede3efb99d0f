using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments.Withdrawing;

/// <summary>Withdraw (cancel) a commitment; final.</summary>
public sealed record WithdrawCommitment(string Reason, LocalDate? EffectiveOn = null)
{
    public Decision Decide(Commitment current, Actor by, Instant now) =>
        new Validation()
            .Text(Reason, "reason", CommitmentRules.ReasonMaxLength, multiline: true)
            .Require(EffectiveOn is null || EffectiveOn <= now.InUtc().Date.PlusDays(1), "effectiveOn", "cannot be in the future")
            .Require(CommitmentLifecycle.CanMove(current.Status, CommitmentStatus.Withdrawn), "status",
                CommitmentLifecycle.WhyNot(current.Status, CommitmentStatus.Withdrawn) ?? string.Empty, RefusalKind.NotAllowed)
            .Then(() => Decision.Accept(new CommitmentWithdrawn(current.Code, Reason, EffectiveOn, by, now)));
}
