namespace Ledger.Domain.Audit.TreeHeads;

public enum WitnessVerdict
{
    /// <summary>The head is signed by a pinned key and extends the last head seen (or is the first one seen).</summary>
    Accepted,

    /// <summary>The head is the last head seen, again.</summary>
    Unchanged,

    /// <summary>
    /// The ledger signed two heads that cannot both be true: two of one size with different roots, or one that does
    /// not extend the last one seen (smaller, or without a proof that holds). Both heads are the evidence.
    /// </summary>
    Fork,

    /// <summary>The head is not acceptable as the ledger's (no pinned key signed it, another ledger's, malformed): not evidence of anything.</summary>
    Refused,
}

/// <summary>What a witness decides about one head, and why; <see cref="NewKey"/> is a key it may pin from now on.</summary>
public sealed record WitnessDecision(WitnessVerdict Verdict, string Explanation, NotePublicKey? NewKey = null);

/// <summary>
/// A witness's decision about the next head a ledger shows it, given the last head it accepted and the ledger keys it
/// pinned (c2sp.org/tlog-witness in spirit: verify the signature, verify consistency with the last head seen, then
/// cosign). A head whose <c>key</c> line names a key not pinned yet is accepted only as a rotation: signed by a pinned
/// key too, and by the named key, whose public key (<c>announced</c>, taken from the ledger's key list)
/// must hash to the fingerprint the signed head states.
/// </summary>
public static class Witnessing
{
    public static WitnessDecision Next(
        SignedTreeHead? last, SignedTreeHead offered, ConsistencyProof? proofFromLast, IReadOnlyList<NotePublicKey> pinned, NotePublicKey? announced = null)
    {
        var signature = TreeHeadVerification.CheckSignature(offered, pinned);
        if (!signature.Holds)
        {
            return new WitnessDecision(WitnessVerdict.Refused, $"{offered}: {signature.Explanation}");
        }

        NotePublicKey? newKey = null;
        if (!pinned.Any(k => k.Fingerprint == offered.Head.KeyFingerprint))
        {
            if (announced is null || announced.Fingerprint != offered.Head.KeyFingerprint)
            {
                return new WitnessDecision(WitnessVerdict.Refused,
                    $"{offered} names the new key {offered.Head.KeyIdHex} (sha256 {offered.Head.KeyFingerprint}), whose public key the ledger does not publish");
            }

            var endorsed = TreeHeadVerification.CheckSignature(offered, [.. pinned, announced]);
            if (!endorsed.Holds)
            {
                return new WitnessDecision(WitnessVerdict.Refused, $"{offered}: {endorsed.Explanation}");
            }

            newKey = announced;
        }

        if (last is null)
        {
            return new WitnessDecision(WitnessVerdict.Accepted, $"{offered} is the first head seen: {signature.Explanation}", newKey);
        }

        if (last.Head.Origin != offered.Head.Origin)
        {
            return new WitnessDecision(WitnessVerdict.Refused,
                $"the head is of the ledger '{offered.Head.Origin}'; this witness follows '{last.Head.Origin}'");
        }

        if (last.Format() == offered.Format())
        {
            return new WitnessDecision(WitnessVerdict.Unchanged, $"{offered} is the last head seen");
        }

        var consistency = TreeHeadVerification.CheckConsistency(last.Head, offered.Head, proofFromLast);
        return consistency.Holds
            ? new WitnessDecision(WitnessVerdict.Accepted, $"{consistency.Explanation}; {signature.Explanation}", newKey)
            : new WitnessDecision(WitnessVerdict.Fork, $"forked history: {consistency.Explanation}");
    }
}
