using Ledger.Domain.Audit;
using NodaTime;

namespace Ledger.Host.Audit;

public sealed record InclusionProof(long Sequence, long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string RootHash);

public sealed record ConsistencyProof(long FromSize, long ToSize, string FromRoot, string ToRoot, IReadOnlyList<string> Proof);

/// <summary>Tamper evidence over the stored rows: the digest, verification, and Merkle proofs.</summary>
public sealed class LedgerAudit(RawEvents raw, IClock clock)
{
    /// <summary>Recomputes every chain and the Merkle root from the raw rows; names what was altered, removed, reordered or inserted.</summary>
    public async Task<VerificationReport> VerifyAsync(LedgerDigest? saved, IProgress<long>? progress, CancellationToken ct)
    {
        var verification = new LedgerVerification(saved);
        await foreach (var row in raw.ReadAsync(ct: ct))
        {
            verification.Check(row.Event);
            if (verification.EventsChecked % 5000 == 0)
            {
                progress?.Report(verification.EventsChecked);
            }
        }

        verification.CheckStreamVersions(await raw.StreamVersionsAsync(ct));
        progress?.Report(verification.EventsChecked);
        return verification.Complete(clock.GetCurrentInstant().ToDateTimeOffset());
    }

    /// <summary>The ledger's digest now: the Merkle tree over every event's chain hash in global order.</summary>
    public async Task<LedgerDigest> DigestAsync(CancellationToken ct)
    {
        var (leaves, sequences) = await raw.LeavesAsync(null, ct);
        return new LedgerDigest(
            MerkleTree.Algorithm,
            leaves.Count,
            Convert.ToHexStringLower(MerkleTree.Root(leaves)),
            sequences.Count == 0 ? 0 : sequences[^1],
            EventHash.Algorithm,
            clock.GetCurrentInstant().ToDateTimeOffset());
    }

    /// <summary>Proof that the event at <paramref name="sequence"/> is in the tree of <paramref name="treeSize"/> leaves (the whole ledger when null).</summary>
    public async Task<InclusionProof?> InclusionAsync(long sequence, long? treeSize, CancellationToken ct)
    {
        var (leaves, sequences) = await raw.LeavesAsync(null, ct);
        var size = treeSize ?? leaves.Count;
        var index = IndexOf(sequences, sequence);
        if (index < 0 || size < 1 || size > leaves.Count || index >= size)
        {
            return null;
        }

        return new InclusionProof(sequence, index, size, Convert.ToHexStringLower(leaves[(int)index]),
            [.. MerkleTree.InclusionProof(leaves, index, size).Select(Convert.ToHexStringLower)],
            Convert.ToHexStringLower(MerkleTree.Root(leaves, size)));
    }

    /// <summary>Proof that the tree of <paramref name="toSize"/> leaves (the whole ledger when null) extends the tree of <paramref name="fromSize"/>.</summary>
    public async Task<ConsistencyProof?> ConsistencyAsync(long fromSize, long? toSize, CancellationToken ct)
    {
        var (leaves, _) = await raw.LeavesAsync(null, ct);
        var size = toSize ?? leaves.Count;
        if (fromSize < 1 || fromSize > size || size > leaves.Count)
        {
            return null;
        }

        return new ConsistencyProof(fromSize, size,
            Convert.ToHexStringLower(MerkleTree.Root(leaves, fromSize)),
            Convert.ToHexStringLower(MerkleTree.Root(leaves, size)),
            [.. MerkleTree.ConsistencyProof(leaves, fromSize, size).Select(Convert.ToHexStringLower)]);
    }

    private static long IndexOf(IReadOnlyList<long> sequences, long sequence)
    {
        var list = sequences as List<long> ?? [.. sequences];
        var index = list.BinarySearch(sequence);
        return index < 0 ? -1 : index;
    }
}
