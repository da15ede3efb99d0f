using System.Globalization;

namespace Ledger.Domain.Audit.TreeHeads;

/// <summary>A signed note whose text is a <see cref="TreeHead"/>: what the ledger publishes, and what verifiers and witnesses check.</summary>
public sealed record SignedTreeHead(SignedNote Note, TreeHead Head)
{
    /// <summary>The note as published.</summary>
    public string Format() => Note.Format();

    /// <summary>The signatures made under the ledger's name (the head's origin); others (a witness's) are not the ledger's.</summary>
    public IEnumerable<NoteSignature> LedgerSignatures => Note.Signatures.Where(s => s.KeyName == Head.Origin);

    public static bool TryParse(ReadOnlySpan<byte> note, out SignedTreeHead head, out string error)
    {
        head = null!;
        return SignedNote.TryParse(note, out var parsed, out error) && TryFrom(parsed, out head, out error);
    }

    public static bool TryParse(string note, out SignedTreeHead head, out string error)
    {
        head = null!;
        return SignedNote.TryParse(note, out var parsed, out error) && TryFrom(parsed, out head, out error);
    }

    private static bool TryFrom(SignedNote note, out SignedTreeHead head, out string error)
    {
        head = null!;
        if (!TreeHead.TryParse(note.Text, out var treeHead, out error))
        {
            return false;
        }

        head = new SignedTreeHead(note, treeHead);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"the tree head of {Head.TreeSize} events with root {Head.RootHash} at {Head.Time}");
}

/// <summary>
/// Checks signed tree heads with nothing but public keys and proofs: no database, no trust in what the ledger says
/// about itself. Signatures follow c2sp.org/signed-note: signatures by unknown keys are ignored, every signature by
/// a given key must verify, and at least one must. Consistency between two heads follows RFC 9162 §2.1.4.2, with
/// both roots taken from the signed heads, never from the proof.
/// </summary>
public static class TreeHeadVerification
{
    /// <summary>
    /// Is the head signed by one of <paramref name="keys"/> (the ledger's public keys the verifier holds)? It must
    /// also carry a signature line of the key its <c>key</c> line names: a head is signed by the key it names.
    /// </summary>
    public static ProofVerdict CheckSignature(SignedTreeHead head, IReadOnlyList<NotePublicKey> keys)
    {
        var named = head.LedgerSignatures.Any(s => s.KeyIdHex == head.Head.KeyIdHex);
        if (!named)
        {
            return Refuted($"the head names the key {head.Head.KeyIdHex} but carries no signature by it");
        }

        var verified = new List<NotePublicKey>();
        foreach (var signature in head.LedgerSignatures)
        {
            foreach (var key in keys.Where(k => k.Names(signature)))
            {
                if (!key.Verify(head.Note.Text, signature.Signature))
                {
                    return Refuted($"the signature by key {key.KeyIdHex} does not verify: the head was changed after it was signed, or the signature is not this key's");
                }

                verified.Add(key);
            }
        }

        if (verified.Count == 0)
        {
            return Refuted(string.Create(CultureInfo.InvariantCulture,
                $"it is signed by none of the keys given ({string.Join(", ", keys.Select(k => k.KeyIdHex))}); its signatures are by {string.Join(", ", head.LedgerSignatures.Select(s => s.KeyIdHex))}"));
        }

        var by = string.Join(" and ", verified.Select(k => k.KeyIdHex).Distinct());
        var announces = verified.Exists(k => k.Fingerprint == head.Head.KeyFingerprint)
            ? string.Empty
            : $"; it names the key {head.Head.KeyIdHex} (sha256 {head.Head.KeyFingerprint}) as the ledger's key from now on: a rotation";
        return new ProofVerdict(true, $"{head} is signed by key {by}{announces}");
    }

    /// <summary>
    /// Does <paramref name="newer"/> extend <paramref name="older"/>? Two heads of one size must have one root (else
    /// the ledger signed two histories: a fork); a larger one must come with a consistency proof between the two
    /// sizes that leads from the older head's root to the newer head's root.
    /// </summary>
    public static ProofVerdict CheckConsistency(TreeHead older, TreeHead newer, ConsistencyProof? proof)
    {
        if (older.Origin != newer.Origin)
        {
            return Refuted($"the heads are of two ledgers ('{older.Origin}' and '{newer.Origin}')");
        }

        if (newer.TreeSize < older.TreeSize)
        {
            return Refuted(string.Create(CultureInfo.InvariantCulture,
                $"the head of {newer.TreeSize} events does not extend the head of {older.TreeSize} events: it is smaller"));
        }

        if (newer.TreeSize == older.TreeSize)
        {
            return older.RootHash == newer.RootHash
                ? new ProofVerdict(true, string.Create(CultureInfo.InvariantCulture, $"both heads are of the same tree of {newer.TreeSize} events"))
                : Refuted(string.Create(CultureInfo.InvariantCulture,
                    $"two heads of {newer.TreeSize} events have different roots ({older.RootHash} and {newer.RootHash}): two histories were signed"));
        }

        if (proof is null)
        {
            return Refuted("no consistency proof was given between the two heads");
        }

        if (proof.FromSize != older.TreeSize || proof.ToSize != newer.TreeSize)
        {
            return Refuted(string.Create(CultureInfo.InvariantCulture,
                $"the proof is between trees of {proof.FromSize} and {proof.ToSize} events; the heads are of {older.TreeSize} and {newer.TreeSize}"));
        }

        if (!LedgerProofs.TryHashes(proof.Proof, out var path)
            || !LedgerProofs.TryHash(older.RootHash, out var olderRoot) || !LedgerProofs.TryHash(newer.RootHash, out var newerRoot))
        {
            return Refuted("the proof is not made of 32-byte hex hashes");
        }

        return MerkleTree.VerifyConsistency(older.TreeSize, newer.TreeSize, olderRoot, newerRoot, path)
            ? new ProofVerdict(true, string.Create(CultureInfo.InvariantCulture,
                $"the head of {newer.TreeSize} events extends the head of {older.TreeSize} events: nothing the older one covered has changed"))
            : Refuted(string.Create(CultureInfo.InvariantCulture,
                $"the head of {newer.TreeSize} events is not proved to extend the head of {older.TreeSize} events: what the older one covered has changed, or the proof is forged"));
    }

    /// <summary>
    /// Checks heads in the order the ledger issued them, each with its consistency proof from the one before (as
    /// <c>GET /api/ledger/tree-heads</c> gives them): every signature, every proof, and that time never goes back.
    /// The first head's proof, from a head not in the list, is not checked. Stops at the first head refused.
    /// </summary>
    public static SequenceVerdict CheckSequence(
        IReadOnlyList<(SignedTreeHead Head, ConsistencyProof? FromPrevious)> heads, IReadOnlyList<NotePublicKey> keys)
    {
        for (var i = 0; i < heads.Count; i++)
        {
            var (head, proof) = heads[i];
            var signature = CheckSignature(head, keys);
            if (!signature.Holds)
            {
                return new SequenceVerdict(false, i, $"head {i + 1} of {heads.Count}: {signature.Explanation}");
            }

            if (i == 0)
            {
                continue;
            }

            var previous = heads[i - 1].Head.Head;
            if (head.Head.Time < previous.Time)
            {
                return new SequenceVerdict(false, i, $"head {i + 1} of {heads.Count} is dated {head.Head.Time}, before the head it follows ({previous.Time}): the heads are out of order");
            }

            if (head.Head.TreeSize > previous.TreeSize && proof is not null && proof.FromSize != previous.TreeSize)
            {
                return new SequenceVerdict(false, i, string.Create(CultureInfo.InvariantCulture,
                    $"head {i + 1} of {heads.Count} comes with a proof from a tree of {proof.FromSize} events, but the head before it covers {previous.TreeSize}: a head is missing or the heads are out of order"));
            }

            var consistency = CheckConsistency(previous, head.Head, proof);
            if (!consistency.Holds)
            {
                return new SequenceVerdict(false, i, $"head {i + 1} of {heads.Count}: {consistency.Explanation}");
            }
        }

        return new SequenceVerdict(true, heads.Count, heads.Count == 0
            ? "there is no head to check"
            : string.Create(CultureInfo.InvariantCulture,
                $"{heads.Count} heads, from {heads[0].Head.Head.TreeSize} to {heads[^1].Head.Head.TreeSize} events, are each signed by a key given and each extends the one before"));
    }

    private static ProofVerdict Refuted(string explanation) => new(false, explanation);
}

/// <summary>The outcome of checking a sequence of heads: whether all hold, how many were checked before the first refused, and why.</summary>
public sealed record SequenceVerdict(bool Holds, int Checked, string Explanation);
