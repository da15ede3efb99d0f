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

    /// <summary>The number of leaf hashes appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>Appends the next leaf hash, an entry already passed through <see cref="MerkleTree.LeafHash"/>.</summary>
    /// <exception cref="ArgumentException">The leaf hash is not 32 bytes.</exception>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleTree.HashLength)
        {
            throw new ArgumentException(
                $"A leaf hash is {MerkleTree.HashLength} bytes, not {leafHash.Length}.", nameof(leafHash));
        }

        var node = leafHash.ToArray();

        // Each trailing 1 bit of the size is a perfect subtree of the same height as the node being
        // carried up: merge them, left sibling first.
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            var last = frontier.Count - 1;
            MerkleTree.HashChildren(frontier[last], node, node);
            frontier.RemoveAt(last);
        }

        frontier.Add(node);
        Size++;
    }

    /// <summary>
    /// The Merkle Tree Hash of every leaf appended so far, equal to <see cref="MerkleTree.Root(IReadOnlyList{byte[]})"/>
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
