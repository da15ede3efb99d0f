using System.Text;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.TreeHeads.TreeHeadSamples;

namespace Ledger.Domain.Tests.Audit.TreeHeads;

/// <summary>Signed heads checked with public keys alone: forged, reordered, truncated and forked heads are refused.</summary>
public class TreeHeadVerificationTests
{
    [Fact]
    public void A_head_verifies_with_the_key_that_signed_it_and_with_no_other()
    {
        var head = Head(20);

        var verdict = TreeHeadVerification.CheckSignature(head, [KeyA.PublicKey]);
        verdict.Holds.ShouldBeTrue(verdict.Explanation);
        verdict.Explanation.ShouldContain($"signed by key {KeyA.PublicKey.KeyIdHex}");

        var wrong = TreeHeadVerification.CheckSignature(head, [KeyB.PublicKey]);
        wrong.Holds.ShouldBeFalse();
        wrong.Explanation.ShouldContain("none of the keys given");
    }

    [Fact]
    public void Every_single_byte_changed_anywhere_in_a_signed_head_is_refused()
    {
        var note = Encoding.UTF8.GetBytes(Head(20).Format());
        var accepted = new List<int>();
        for (var i = 0; i < note.Length; i++)
        {
            var forged = (byte[])note.Clone();
            forged[i] ^= 0x01;
            if (SignedTreeHead.TryParse(forged, out var head, out _) && TreeHeadVerification.CheckSignature(head, [KeyA.PublicKey]).Holds)
            {
                accepted.Add(i);
            }
        }

        accepted.ShouldBeEmpty($"a note of {note.Length} bytes was still accepted with these bytes changed");
    }

    [Fact]
    public void A_signature_moved_onto_another_head_or_cut_short_is_refused()
    {
        var head20 = Head(20);
        var head30 = Head(30);

        var moved = new SignedTreeHead(head30.Note with { Signatures = head20.Note.Signatures }, head30.Head);
        TreeHeadVerification.CheckSignature(moved, [KeyA.PublicKey]).Explanation.ShouldContain("does not verify");

        var text = head20.Format();
        SignedTreeHead.TryParse(text[..^10] + "\n", out _, out _).ShouldBeFalse("a truncated note");
        SignedTreeHead.TryParse(text[..(text.IndexOf("\n\n", StringComparison.Ordinal) + 1)], out _, out _).ShouldBeFalse("a note without its signatures");
    }

    [Fact]
    public void A_head_must_carry_the_signature_of_the_key_it_names()
    {
        var head = Head(20, KeyB);
        var claimingB = new SignedTreeHead(head.Note with { Signatures = [KeyA.Sign(Origin, head.Note.Text)] }, head.Head);

        TreeHeadVerification.CheckSignature(claimingB, [KeyA.PublicKey, KeyB.PublicKey]).Explanation.ShouldContain("carries no signature by it");
    }

    [Fact]
    public void A_later_head_extends_an_earlier_one_with_the_proof_between_them()
    {
        var verdict = TreeHeadVerification.CheckConsistency(Head(25).Head, Head(40).Head, Proof(25, 40));

        verdict.Holds.ShouldBeTrue(verdict.Explanation);
    }

    [Fact]
    public void Heads_of_two_histories_are_refused_whatever_proof_comes_with_them()
    {
        var other = Rewritten(10);
        var forked40 = Head(40, other, Start, KeyA).Head;

        // One size, two roots: no proof is needed to see it.
        var sameSize = TreeHeadVerification.CheckConsistency(Head(40).Head, forked40, null);
        sameSize.Holds.ShouldBeFalse();
        sameSize.Explanation.ShouldContain("two histories were signed");

        // The rewritten history's own proof does not lead from the genuine older root.
        TreeHeadVerification.CheckConsistency(Head(25).Head, forked40, Proof(25, 40, other)).Holds.ShouldBeFalse();
        TreeHeadVerification.CheckConsistency(Head(25).Head, forked40, Proof(25, 40)).Holds.ShouldBeFalse();

        // Smaller is never an extension.
        TreeHeadVerification.CheckConsistency(Head(40).Head, Head(25).Head, Proof(25, 40)).Explanation.ShouldContain("it is smaller");
    }

    [Fact]
    public void A_sequence_of_heads_holds_in_order_and_is_refused_reordered_or_with_a_head_cut_out()
    {
        var sequence = new List<(SignedTreeHead, ConsistencyProof?)>
        {
            (Head(10), null),
            (Head(25), Proof(10, 25)),
            (Head(40), Proof(25, 40)),
            (Head(41), Proof(40, 41)),
        };

        TreeHeadVerification.CheckSequence(sequence, [KeyA.PublicKey]).Holds.ShouldBeTrue();

        var reordered = new List<(SignedTreeHead, ConsistencyProof?)> { sequence[0], sequence[2], sequence[1], sequence[3] };
        var verdict = TreeHeadVerification.CheckSequence(reordered, [KeyA.PublicKey]);
        verdict.Holds.ShouldBeFalse();
        verdict.Checked.ShouldBe(1);

        var cut = new List<(SignedTreeHead, ConsistencyProof?)> { sequence[0], sequence[2], sequence[3] };
        verdict = TreeHeadVerification.CheckSequence(cut, [KeyA.PublicKey]);
        verdict.Holds.ShouldBeFalse();
        verdict.Explanation.ShouldContain("a head is missing or the heads are out of order");
    }

    [Fact]
    public void A_key_rotation_is_checked_across_the_change_with_both_public_keys()
    {
        // Key A signs, then a head of the same tree names B and is signed by both (the handover), then B alone.
        var sequence = new List<(SignedTreeHead, ConsistencyProof?)>
        {
            (Head(10, KeyA), null),
            (Head(25, KeyA), Proof(10, 25)),
            (Head(25, KeyB, KeyA), Proof(25, 25)),
            (Head(40, KeyB), Proof(25, 40)),
        };

        var both = TreeHeadVerification.CheckSequence(sequence, [KeyA.PublicKey, KeyB.PublicKey]);
        both.Holds.ShouldBeTrue(both.Explanation);

        var handover = TreeHeadVerification.CheckSignature(sequence[2].Item1, [KeyA.PublicKey]);
        handover.Holds.ShouldBeTrue();
        handover.Explanation.ShouldContain("a rotation");

        var onlyA = TreeHeadVerification.CheckSequence(sequence, [KeyA.PublicKey]);
        onlyA.Holds.ShouldBeFalse();
        onlyA.Checked.ShouldBe(3);

        TreeHeadVerification.CheckSequence(sequence, [KeyB.PublicKey]).Checked.ShouldBe(0);
    }

    [Fact]
    public void Public_keys_are_read_from_pem_and_identified_by_the_hash_of_their_encoding()
    {
        NotePublicKey.TryParsePem(KeyA.PublicKey.Pem + KeyB.PublicKey.Pem, out var keys, out var error).ShouldBeTrue(error);

        keys.Select(k => k.Fingerprint).ShouldBe([KeyA.PublicKey.Fingerprint, KeyB.PublicKey.Fingerprint]);
        keys[0].KeyIdHex.ShouldBe(keys[0].Fingerprint[..8]);
        NotePublicKey.TryParsePem(KeyA.ExportPem(), out _, out error).ShouldBeFalse();
        error.ShouldContain("give the public key only");
        NotePublicKey.TryParsePem("not a key", out _, out _).ShouldBeFalse();

        NoteSigningKey.TryFromPem(KeyA.ExportPem(), out var reloaded, out error).ShouldBeTrue(error);
        reloaded.PublicKey.Fingerprint.ShouldBe(KeyA.PublicKey.Fingerprint);
        NoteSigningKey.TryFromPem(KeyA.PublicKey.Pem, out _, out _).ShouldBeFalse("a public key cannot sign");
    }
}
