using Ledger.Domain.Common;
using Shouldly;

namespace Ledger.Domain.Tests;

/// <summary>The "then" of a decision: exactly one event, or refusals and no events.</summary>
internal static class DecisionAssertions
{
    /// <summary>The decision accepts and yields exactly one event, of type <typeparamref name="T"/>.</summary>
    public static T ShouldYieldSingle<T>(this Decision decision)
    {
        decision.IsRefused.ShouldBeFalse(decision.ToString());
        decision.Refusals.ShouldBeEmpty();
        return decision.Events.ShouldHaveSingleItem().ShouldBeOfType<T>();
    }

    /// <summary>The decision is refused for exactly one reason, on <paramref name="field"/>, and yields no events.</summary>
    public static Refusal ShouldBeRefusedOn(this Decision decision, string field)
    {
        decision.ShouldBeRefusedOnAll(field);
        return decision.Refusals[0];
    }

    /// <summary>The decision is refused with one refusal per field listed (in any order), and yields no events.</summary>
    public static void ShouldBeRefusedOnAll(this Decision decision, params string[] fields)
    {
        decision.IsRefused.ShouldBeTrue(decision.ToString());
        decision.Events.ShouldBeEmpty();
        decision.Refusals.Select(r => r.Field).ShouldBe(fields, ignoreOrder: true, decision.ToString());
    }
}
