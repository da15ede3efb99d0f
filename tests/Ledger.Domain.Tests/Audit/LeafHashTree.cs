using Ledger.Domain.Audit;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// RFC 6962 §2.1's MTH, PATH and PROOF written out recursively over a list of leaf hashes (entries already
/// through <see cref="MerkleTree.LeafHash"/>), hashing nodes with <see cref="MerkleTree.NodeHash"/>. The product
/// never holds every leaf (it keeps a frontier and stored nodes), so these live with the tests, which check what
/// it computes against them (and these against <see cref="MerkleReference"/>, over raw entries).
/// </summary>
internal static class LeafHashTree
{
    /// <summary>MTH(D[n]) of all the leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) => Root(leafHashes, leafHashes.Count);

    /// <summary>MTH of the first <paramref name="size"/> leaf hashes; the empty root for 0.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leafHashes.Count);
        Require(leafHashes, size);
        return size == 0 ? MerkleTree.EmptyRoot : Hash(leafHashes, 0, size);
    }

    /// <summary>PATH(m, D[n]) for the leaf at <paramref name="index"/> in the tree of the first <paramref name="treeSize"/> leaves.</summary>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(treeSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, leafHashes.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, treeSize);
        Require(leafHashes, treeSize);
        return Path(leafHashes, index, 0, treeSize);
    }

    /// <summary>PROOF(m, D[n]); empty for m = 0 and m = n, the trivial cases.</summary>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, leafHashes.Count);
        Require(leafHashes, newSize);
        return oldSize == 0 || oldSize == newSize ? [] : SubProof(leafHashes, oldSize, 0, newSize, true);
    }

    private static void Require(IReadOnlyList<byte[]> leafHashes, long count)
    {
        for (var i = 0; i < count; i++)
        {
            if (leafHashes[i] is not { Length: 32 })
            {
                throw new ArgumentException($"Leaf hash {i} is not 32 bytes.", nameof(leafHashes));
            }
        }
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/>, for n ≥ 2.</summary>
    private static long Split(long n)
    {
        var k = 1L;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static byte[] Hash(IReadOnlyList<byte[]> leaves, long start, long count)
    {
        if (count == 1)
        {
            return leaves[(int)start];
        }

        var k = Split(count);
        return MerkleTree.NodeHash(Hash(leaves, start, k), Hash(leaves, start + k, count - k));
    }

    private static List<byte[]> Path(IReadOnlyList<byte[]> leaves, long m, long start, long n)
    {
        if (n == 1)
        {
            return [];
        }

        var k = Split(n);
        return m < k
            ? [.. Path(leaves, m, start, k), Hash(leaves, start + k, n - k)]
            : [.. Path(leaves, m - k, start + k, n - k), Hash(leaves, start, k)];
    }

    private static List<byte[]> SubProof(IReadOnlyList<byte[]> leaves, long m, long start, long n, bool complete)
    {
        if (m == n)
        {
            return complete ? [] : [Hash(leaves, start, n)];
        }

        var k = Split(n);
        return m <= k
            ? [.. SubProof(leaves, m, start, k, complete), Hash(leaves, start + k, n - k)]
            : [.. SubProof(leaves, m - k, start + k, n - k, false), Hash(leaves, start, k)];
    }
}
