using Ledger.Domain.Common;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Common;

public class DecisionTests
{
    [Fact]
    public void An_accepted_decision_has_events_and_no_refusals()
    {
        var decision = Decision.Accept("first", "second");

        decision.IsRefused.ShouldBeFalse();
        decision.Events.ShouldBe(["first", "second"]);
        decision.Refusals.ShouldBeEmpty();
        decision.ToString().ShouldBe("Accepted: String, String");
    }

    [Fact]
    public void A_refused_decision_has_refusals_and_no_events()
    {
        var decision = Decision.Refuse([new Refusal("is required", "title"), new Refusal("not now")]);

        decision.IsRefused.ShouldBeTrue();
        decision.Events.ShouldBeEmpty();
        decision.ToString().ShouldBe("Refused: title: is required; not now");
    }

    [Fact]
    public void A_refusal_without_a_reason_is_a_programming_error()
    {
        Should.Throw<ArgumentException>(() => Decision.Refuse([]));
    }

    [Fact]
    public void Validation_collects_every_problem_and_accepts_only_without_any()
    {
        var refused = new Validation()
            .Text(null, "title", 10)
            .Text("x\ny", "title", 10)
            .Text("long enough", "remarks", 5, required: false)
            .Text("x\ny", "narrative", 10, multiline: true)
            .Require(false, "status", "not allowed", RefusalKind.NotAllowed)
            .Then(() => Decision.Accept("never"));

        refused.Refusals.ShouldBe([
            new Refusal("is required", "title"),
            new Refusal("must be a single line without control characters", "title"),
            new Refusal("must be at most 5 characters", "remarks"),
            new Refusal("not allowed", "status", RefusalKind.NotAllowed),
        ]);
        new Validation().Text(null, "remarks", 5, required: false).Then(() => Decision.Accept("event")).Events.ShouldBe(["event"]);
    }
}
