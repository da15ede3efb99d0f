using Ledger.Domain.Audit.TreeHeads;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.TreeHeads.TreeHeadSamples;

namespace Ledger.Domain.Tests.Audit.TreeHeads;

/// <summary>What a witness decides about the next head a ledger shows it.</summary>
public class WitnessingTests
{
    [Fact]
    public void The_first_head_is_accepted_and_a_consistent_later_one_too()
    {
        Witnessing.Next(null, Head(10), null, [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Accepted);

        var head30 = Head(30);
        var later = Witnessing.Next(Head(10), head30, Proof(10, 30), [KeyA.PublicKey]);
        later.Verdict.ShouldBe(WitnessVerdict.Accepted, later.Explanation);
        later.NewKey.ShouldBeNull();

        Witnessing.Next(head30, head30, null, [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Unchanged);
    }

    [Fact]
    public void Two_heads_of_one_size_with_different_roots_are_a_fork()
    {
        var decision = Witnessing.Next(Head(30), Head(30, Rewritten(4), Start, KeyA), null, [KeyA.PublicKey]);

        decision.Verdict.ShouldBe(WitnessVerdict.Fork);
        decision.Explanation.ShouldContain("two histories were signed");
    }

    [Fact]
    public void A_head_that_does_not_extend_the_last_one_seen_is_a_fork()
    {
        var other = Rewritten(4);

        // Another history's own proof, a smaller head, and no proof at all.
        Witnessing.Next(Head(30), Head(40, other, Start, KeyA), Proof(30, 40, other), [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Fork);
        Witnessing.Next(Head(30), Head(20), null, [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Fork);
        Witnessing.Next(Head(30), Head(40), null, [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Fork);
    }

    [Fact]
    public void A_head_no_pinned_key_signed_is_refused_not_taken_for_a_fork()
    {
        var decision = Witnessing.Next(Head(30), Head(30, Rewritten(4), Start, KeyB), null, [KeyA.PublicKey], KeyB.PublicKey);

        decision.Verdict.ShouldBe(WitnessVerdict.Refused);
    }

    [Fact]
    public void A_new_key_is_learnt_from_a_head_the_pinned_key_also_signed()
    {
        var handover = Head(30, KeyB, KeyA);

        var decision = Witnessing.Next(Head(30), handover, null, [KeyA.PublicKey], KeyB.PublicKey);
        decision.Verdict.ShouldBe(WitnessVerdict.Accepted, decision.Explanation);
        decision.NewKey!.Fingerprint.ShouldBe(KeyB.PublicKey.Fingerprint);

        // Without the new key's public key, or with another key offered as it, the head is refused.
        Witnessing.Next(Head(30), handover, null, [KeyA.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Refused);
        using var impostor = NoteSigningKey.Generate();
        Witnessing.Next(Head(30), handover, null, [KeyA.PublicKey], impostor.PublicKey).Verdict.ShouldBe(WitnessVerdict.Refused);

        // After the handover, heads by the new key alone are accepted once it is pinned.
        Witnessing.Next(handover, Head(40, KeyB), Proof(30, 40), [KeyA.PublicKey, KeyB.PublicKey]).Verdict.ShouldBe(WitnessVerdict.Accepted);
    }
}
