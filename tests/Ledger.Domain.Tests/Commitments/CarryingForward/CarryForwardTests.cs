using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.CarryingForward;
using Ledger.Domain.Common;
using NodaTime.Testing;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments.CarryingForward;

public class CarryForwardTests
{
    private const string Remarks = "Follow-up moves to the 17th meeting.";

    private readonly FakeClock clock = Given.Clock();

    private Decision Decide(Commitment current, CarryForward carry) =>
        carry.Decide(current, Given.Secretariat, clock.GetCurrentInstant());

    [Theory]
    [InlineData(Proposed)]
    [InlineData(Agreed)]
    [InlineData(InProgress)]
    [InlineData(Suspended)]
    public void A_commitment_that_is_not_final_can_be_carried_forward_to_a_later_meeting(CommitmentStatus from)
    {
        // Given an Astana 2024 commitment in `from`
        var current = Given.CommitmentIn(from);

        // When it is carried forward to a 2026 meeting not registered yet
        var carried = Decide(current, new CarryForward("RUH-2026", Remarks)).ShouldYieldSingle<CommitmentCarriedForward>();

        // Then exactly this event is recorded and the commitment is carried forward
        carried.ShouldBe(new CommitmentCarriedForward(Given.Code, "RUH-2026", Remarks, Given.Secretariat, Given.Now));
        Given.Then(current, carried).Status.ShouldBe(CarriedForward);
    }

    [Fact]
    public void A_geneva_line_can_be_carried_forward_to_astana()
    {
        var line = Given.Replay(Given.GenevaLine());

        var carried = Decide(line, new CarryForward("AST-2024")).ShouldYieldSingle<CommitmentCarriedForward>();

        carried.ShouldBe(new CommitmentCarriedForward("GVA-2022-2.3", "AST-2024", null, Given.Secretariat, Given.Now));
        Given.Then(line, carried).Status.ShouldBe(CarriedForward);
    }

    [Theory]
    [InlineData(Completed, "completed")]
    [InlineData(Withdrawn, "withdrawn")]
    [InlineData(CarriedForward, "carried-forward")]
    public void A_final_commitment_cannot_be_carried_forward(CommitmentStatus from, string current)
    {
        var refusal = Decide(Given.CommitmentIn(from), new CarryForward("RUH-2026")).ShouldBeRefusedOn("status");

        refusal.Reason.ShouldContain(current);
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Theory]
    [InlineData("AST-2024")]
    [InlineData("DOH-2024")]
    [InlineData("GVA-2022")]
    public void A_commitment_cannot_be_carried_forward_to_a_meeting_of_the_same_year_or_earlier(string meeting)
    {
        Decide(Given.CommitmentIn(Agreed), new CarryForward(meeting))
            .ShouldBeRefusedOn("toMeeting").Reason.ShouldBe("must be a meeting after AST-2024");
    }

    [Theory]
    [InlineData("ruh-2026")]
    [InlineData("RUH-26")]
    [InlineData("RUH2026")]
    [InlineData("meeting:RUH-2026")]
    [InlineData("")]
    public void A_malformed_meeting_code_is_refused(string meeting)
    {
        Decide(Given.CommitmentIn(Agreed), new CarryForward(meeting))
            .ShouldBeRefusedOn("toMeeting").Reason.ShouldBe("must be a meeting code like AST-2024");
    }

    [Fact]
    public void Remarks_are_optional()
    {
        Decide(Given.CommitmentIn(Agreed), new CarryForward("RUH-2026")).ShouldYieldSingle<CommitmentCarriedForward>().Remarks.ShouldBeNull();
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Decide(Given.CommitmentIn(Withdrawn), new CarryForward("GVA-2022", new string('r', 2001)))
            .ShouldBeRefusedOnAll("remarks", "status", "toMeeting");
    }
}
