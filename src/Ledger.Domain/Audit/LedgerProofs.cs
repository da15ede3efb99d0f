using System.Globalization;

namespace Ledger.Domain.Audit;

/// <summary>Proof that the event at <see cref="Sequence"/> is leaf <see cref="LeafIndex"/> of the tree of <see cref="TreeSize"/> leaves.</summary>
public sealed record InclusionProof(long Sequence, long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string RootHash);

/// <summary>Proof that the tree of <see cref="ToSize"/> leaves extends the tree of <see cref="FromSize"/> leaves.</summary>
public sealed record ConsistencyProof(long FromSize, long ToSize, string FromRoot, string ToRoot, IReadOnlyList<string> Proof);

/// <summary>Whether a proof holds against a saved digest, and what that means in words.</summary>
public sealed record ProofVerdict(bool Holds, string Explanation);

/// <summary>
/// Checks the ledger's proofs against a digest an auditor saved, with nothing but the two files: no
/// database, no trust in the roots the proof carries. The saved digest's size and root are the
/// anchor; the proof must lead from them (RFC 9162 §2.1.3.2 and §2.1.4.2, <see cref="MerkleTree"/>).
/// </summary>
public static class LedgerProofs
{
    /// <summary>Does the later tree the proof names extend the tree of the saved digest?</summary>
    public static ProofVerdict CheckConsistency(LedgerDigest saved, ConsistencyProof proof)
    {
        if (proof.FromSize != saved.TreeSize)
        {
            return Refuted($"the proof starts from a tree of {proof.FromSize} events; the saved digest covers {saved.TreeSize}. Ask for a proof from {saved.TreeSize}.");
        }

        if (!TryHashes(proof.Proof, out var path) || !TryHash(saved.RootHash, out var savedRoot) || !TryHash(proof.ToRoot, out var laterRoot))
        {
            return Refuted("the proof, its later root or the saved root is not made of 32-byte hex hashes.");
        }

        if (!MerkleTree.VerifyConsistency(saved.TreeSize, proof.ToSize, savedRoot, laterRoot, path))
        {
            return Refuted($"the tree of {proof.ToSize} events with root {proof.ToRoot} does not extend the saved tree of {saved.TreeSize} events with root {saved.RootHash}: what the saved digest covered has changed, or the proof is forged.");
        }

        return new ProofVerdict(true, string.Create(CultureInfo.InvariantCulture,
            $"the tree of {proof.ToSize} events with root {proof.ToRoot} extends the saved tree of {saved.TreeSize} events: nothing the saved digest covered has changed. Compare that root with a digest you fetch now."));
    }

    /// <summary>
    /// Is the event in the tree of the saved digest? With <paramref name="eventHash"/> (the event's chain
    /// hash, as its history shows it), the leaf is computed here rather than taken from the proof.
    /// </summary>
    public static ProofVerdict CheckInclusion(LedgerDigest saved, InclusionProof proof, string? eventHash = null)
    {
        if (proof.TreeSize != saved.TreeSize)
        {
            return Refuted($"the proof is for a tree of {proof.TreeSize} events; the saved digest covers {saved.TreeSize}. Ask for a proof with treeSize={saved.TreeSize}.");
        }

        if (!TryHashes(proof.Proof, out var path) || !TryHash(saved.RootHash, out var root) || !TryHash(proof.LeafHash, out var leaf))
        {
            return Refuted("the proof, its leaf hash or the saved root is not made of 32-byte hex hashes.");
        }

        if (eventHash is not null)
        {
            if (!TryHash(eventHash, out var entry))
            {
                return Refuted("the event's hash is not a 32-byte hex hash.");
            }

            if (!MerkleTree.LeafHash(entry).AsSpan().SequenceEqual(leaf))
            {
                return Refuted("the proof is for another event: its leaf is not the leaf of the event hash given.");
            }
        }

        if (!MerkleTree.VerifyInclusion(leaf, proof.LeafIndex, saved.TreeSize, path, root))
        {
            return Refuted($"leaf {proof.LeafIndex} is not proved to be in the saved tree of {saved.TreeSize} events with root {saved.RootHash}: the proof is forged or for another tree.");
        }

        return new ProofVerdict(true, string.Create(CultureInfo.InvariantCulture,
            $"the event at sequence {proof.Sequence} is leaf {proof.LeafIndex} of the saved tree of {saved.TreeSize} events."));
    }

    private static ProofVerdict Refuted(string explanation) => new(false, explanation);

    /// <summary>Hex proof elements as 32-byte hashes; false when one is not.</summary>
    internal static bool TryHashes(IReadOnlyList<string>? hex, out List<byte[]> hashes)
    {
        hashes = [];
        foreach (var item in hex ?? [])
        {
            if (!TryHash(item, out var hash))
            {
                return false;
            }

            hashes.Add(hash);
        }

        return hex is not null;
    }

    /// <summary>A 64-digit hex hash as its 32 bytes; false for anything else.</summary>
    internal static bool TryHash(string? hex, out byte[] hash)
    {
        hash = [];
        if (hex is not { Length: 2 * MerkleTree.HashLength } || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        hash = Convert.FromHexString(hex);
        return true;
    }
}
