using System.Numerics;

namespace Ledger.Domain.Audit;

/// <summary>
/// Streams leaf hashes in order with O(log n) memory and gives the root of everything appended so far
/// (the "compact range"/frontier technique) — used to verify a whole ledger in one ordered scan.
/// </summary>
/// <remarks>
/// The accumulator keeps the roots of the perfect subtrees that the leaves so far decompose into, one per
/// set bit of <see cref="Size"/>, largest (leftmost) first. Appending a leaf merges equal-sized subtrees as
/// a binary counter carries, so an append costs amortised O(1) hashes; the root folds the frontier from
/// the right, which is exactly MTH's split at the largest power of two below the size (RFC 6962 §2.1), in
/// O(log n) hashes. Not thread-safe.
/// </remarks>
public sealed class MerkleAccumulator
{
    private readonly List<byte[]> frontier = [];

    public MerkleAccumulator()
    {
    }

    /// <summary>
    /// Resumes a tree of <paramref name="size"/> leaves from the hashes of its <see cref="Frontier"/> nodes
    /// (largest first), as a stored tree keeps them: appending then goes on exactly as if every leaf had
    /// been appended here.
    /// </summary>
    /// <exception cref="ArgumentException">The frontier does not have one 32-byte hash per node of <see cref="Frontier"/>(<paramref name="size"/>).</exception>
    public MerkleAccumulator(long size, IReadOnlyList<byte[]> frontierHashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(frontierHashes);
        if (frontierHashes.Count != BitOperations.PopCount((ulong)size)
            || frontierHashes.Any(h => h is not { Length: MerkleTree.HashLength }))
        {
            throw new ArgumentException(
                $"A tree of {size} leaves resumes from {BitOperations.PopCount((ulong)size)} hashes of {MerkleTree.HashLength} bytes.",
                nameof(frontierHashes));
        }

        frontier.AddRange(frontierHashes.Select(h => (byte[])h.Clone()));
        Size = size;
    }

    /// <summary>The number of leaf hashes appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>
    /// The perfect subtrees a tree of <paramref name="size"/> leaves decomposes into, largest (leftmost)
    /// first, one per set bit of the size: what a stored tree reads to resume appending or to give its root.
    /// </summary>
    public static IReadOnlyList<MerkleNode> Frontier(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size == 0 ? [] : MerkleTree.PerfectSubtrees(new MerkleRange(0, size));
    }

    /// <summary>Appends the next leaf hash, an entry already passed through <see cref="MerkleTree.LeafHash"/>.</summary>
    /// <exception cref="ArgumentException">The leaf hash is not 32 bytes.</exception>
    public void Append(ReadOnlySpan<byte> leafHash) => Append(leafHash, null);

    /// <summary>
    /// Appends the next leaf hash and adds to <paramref name="completed"/> every node the append completes:
    /// the leaf itself at level 0, then each parent whose right child it completes, bottom up. A stored tree
    /// saves exactly these, so it holds every perfect subtree of the leaves so far.
    /// </summary>
    public void Append(ReadOnlySpan<byte> leafHash, ICollection<(MerkleNode Node, byte[] Hash)>? completed)
    {
        if (leafHash.Length != MerkleTree.HashLength)
        {
            throw new ArgumentException(
                $"A leaf hash is {MerkleTree.HashLength} bytes, not {leafHash.Length}.", nameof(leafHash));
        }

        var node = leafHash.ToArray();
        completed?.Add((new MerkleNode(0, Size), (byte[])node.Clone()));

        // Each trailing 1 bit of the size is a perfect subtree of the same height as the node being
        // carried up: merge them, left sibling first.
        var level = 0;
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            var last = frontier.Count - 1;
            MerkleTree.HashChildren(frontier[last], node, node);
            frontier.RemoveAt(last);
            level++;
            completed?.Add((new MerkleNode(level, size >> 1), (byte[])node.Clone()));
        }

        frontier.Add(node);
        Size++;
    }

    /// <summary>
    /// The Merkle Tree Hash of every leaf appended so far, equal to the RFC 6962 Merkle Tree Hash of those leaves
    /// over them; <see cref="MerkleTree.EmptyRoot"/> when nothing has been appended. A fresh array on every call.
    /// </summary>
    public byte[] Root()
    {
        if (frontier.Count == 0)
        {
            return MerkleTree.EmptyRoot;
        }

        var root = (byte[])frontier[^1].Clone();
        for (var i = frontier.Count - 2; i >= 0; i--)
        {
            MerkleTree.HashChildren(frontier[i], root, root);
        }

        return root;
    }
}
