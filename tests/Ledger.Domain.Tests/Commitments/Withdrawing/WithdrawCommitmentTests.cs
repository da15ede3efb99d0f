using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Withdrawing;
using Ledger.Domain.Common;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments.Withdrawing;

public class WithdrawCommitmentTests
{
    private const string Reason = "The partners agreed to fold it into the Africa Food Security Initiative.";

    private readonly FakeClock clock = Given.Clock();

    private Decision Decide(Commitment current, WithdrawCommitment withdraw) =>
        withdraw.Decide(current, Given.Secretariat, clock.GetCurrentInstant());

    [Theory]
    [InlineData(Proposed)]
    [InlineData(Agreed)]
    [InlineData(InProgress)]
    [InlineData(Suspended)]
    public void A_commitment_that_is_not_final_can_be_withdrawn(CommitmentStatus from)
    {
        // Given a commitment in `from`
        var current = Given.CommitmentIn(from);

        // When it is withdrawn
        var withdrawn = Decide(current, new WithdrawCommitment(Reason, new LocalDate(2025, 3, 1))).ShouldYieldSingle<CommitmentWithdrawn>();

        // Then exactly this event is recorded and the commitment is withdrawn
        withdrawn.ShouldBe(new CommitmentWithdrawn(Given.Code, Reason, new LocalDate(2025, 3, 1), Given.Secretariat, Given.Now));
        Given.Then(current, withdrawn).Status.ShouldBe(Withdrawn);
    }

    [Theory]
    [InlineData(Completed, "completed")]
    [InlineData(Withdrawn, "withdrawn")]
    [InlineData(CarriedForward, "carried-forward")]
    public void A_final_commitment_cannot_be_withdrawn(CommitmentStatus from, string current)
    {
        var refusal = Decide(Given.CommitmentIn(from), new WithdrawCommitment(Reason)).ShouldBeRefusedOn("status");

        refusal.Reason.ShouldContain(current);
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Fact]
    public void A_withdrawal_needs_a_reason()
    {
        Decide(Given.CommitmentIn(Agreed), new WithdrawCommitment(" ")).ShouldBeRefusedOn("reason").Reason.ShouldBe("is required");
    }

    [Fact]
    public void A_withdrawal_effective_in_the_future_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new WithdrawCommitment(Reason, Given.Today.PlusDays(2)))
            .ShouldBeRefusedOn("effectiveOn").Reason.ShouldBe("cannot be in the future");
    }

    [Fact]
    public void The_effective_date_is_optional()
    {
        Decide(Given.CommitmentIn(Agreed), new WithdrawCommitment(Reason)).ShouldYieldSingle<CommitmentWithdrawn>().EffectiveOn.ShouldBeNull();
    }
}
