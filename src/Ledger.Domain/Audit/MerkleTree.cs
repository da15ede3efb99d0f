using System.Numerics;
using System.Security.Cryptography;

namespace Ledger.Domain.Audit;

/// <summary>
/// The Merkle tree of RFC 6962 §2.1 (restated unchanged in RFC 9162 §2.1) over SHA-256: tree hashes,
/// audit paths (inclusion proofs), consistency proofs, and their verification.
/// </summary>
/// <remarks>
/// <para>
/// Every hash is 32 bytes. A leaf hashes as SHA-256(0x00 || entry) and an interior node as
/// SHA-256(0x01 || left || right); the two prefixes keep a leaf from ever being mistaken for an
/// interior node (the second-preimage guard of RFC 6962 §2.1). A tree of n leaves splits at k, the
/// largest power of two smaller than n: the left subtree holds the first k leaves.
/// </para>
/// <para>
/// The ledger never holds every leaf: it keeps a frontier (<see cref="MerkleAccumulator"/>) and stored
/// nodes, and says which perfect subtrees a proof is made of (<see cref="InclusionRanges"/>,
/// <see cref="ConsistencyRanges"/>). Range methods throw <see cref="ArgumentException"/> on programmer
/// errors (a size or index out of range).
/// </para>
/// <para>
/// The verifiers (<see cref="VerifyInclusion"/>, <see cref="VerifyConsistency"/>) are the iterative
/// algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. Proofs come from whoever is being audited, so the
/// verifiers never throw: anything malformed (a negative or inconsistent size, a missing proof, a hash of
/// the wrong length) is simply not a proof, and they answer false.
/// </para>
/// <para>
/// An inclusion proof binds the tree size only through the shape of its path, so a proof for a tree of n
/// leaves may also verify, against the same root, for a tree size whose path has the same shape (for
/// example leaf 0 of 5 and leaf 0 of 6). Take the size and the root from the same signed tree head and
/// this cannot matter: short of a SHA-256 collision, no tree of the other size has that root. The same
/// holds for consistency proofs. Likewise the domain separation only protects a verifier that computes
/// the leaf hash itself with <see cref="LeafHash"/> from the entry it holds; never accept a leaf hash from
/// the prover.
/// </para>
/// </remarks>
public static class MerkleTree
{
    /// <summary>The identifier of this tree construction: RFC 6962 §2.1 with SHA-256.</summary>
    public const string Algorithm = "sha256-rfc6962";

    /// <summary>The length in bytes of every hash: leaf hashes, node hashes, roots and proof elements.</summary>
    public const int HashLength = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>Entries shorter than this are hashed from a stack buffer.</summary>
    private const int ShortEntry = 512;

    private static readonly byte[] EmptyTreeHash = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// The root of the empty tree: MTH({}) = SHA-256() (RFC 6962 §2.1), that is
    /// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855. A fresh copy on every call.
    /// </summary>
    public static byte[] EmptyRoot => (byte[])EmptyTreeHash.Clone();

    /// <summary>The leaf hash of an entry: SHA-256(0x00 || entry).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        // Short entries (the usual case: a ledger entry's own digest or a small record) are hashed in one
        // shot from the stack, several times faster than setting up an incremental hash for each.
        if (entry.Length < ShortEntry)
        {
            Span<byte> message = stackalloc byte[1 + ShortEntry];
            message[0] = LeafPrefix;
            entry.CopyTo(message[1..]);
            return SHA256.HashData(message[..(1 + entry.Length)]);
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([LeafPrefix]);
        sha.AppendData(entry);
        return sha.GetHashAndReset();
    }

    /// <summary>The hash of an interior node: SHA-256(0x01 || left || right).</summary>
    /// <exception cref="ArgumentException">Either child is not 32 bytes.</exception>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != HashLength)
        {
            throw new ArgumentException($"A child hash is {HashLength} bytes, not {left.Length}.", nameof(left));
        }

        if (right.Length != HashLength)
        {
            throw new ArgumentException($"A child hash is {HashLength} bytes, not {right.Length}.", nameof(right));
        }

        var node = new byte[HashLength];
        HashChildren(left, right, node);
        return node;
    }

    /// <summary>
    /// Which subtrees the audit path of the leaf at <paramref name="index"/> in a tree of
    /// <paramref name="treeSize"/> leaves is made of, in the path's order: element i of
    /// the audit path PATH(m, D[n]) of RFC 6962 §2.1.1 is the Merkle Tree Hash of range i. A stored tree answers a proof from
    /// these without reading the leaves.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 ≤ <paramref name="index"/> &lt; <paramref name="treeSize"/>.</exception>
    public static IReadOnlyList<MerkleRange> InclusionRanges(long index, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(treeSize);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, treeSize);

        var path = new List<MerkleRange>(64 - BitOperations.LeadingZeroCount((ulong)treeSize));
        AppendPath(index, 0, treeSize, path);
        return path;
    }

    /// <summary>
    /// Which subtrees the consistency proof between trees of <paramref name="oldSize"/> and
    /// <paramref name="newSize"/> leaves is made of, in the proof's order: PROOF(m, D[n]) of RFC 6962 §2.1.2,
    /// empty for the trivial cases m = 0 and m = n.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 ≤ <paramref name="oldSize"/> ≤ <paramref name="newSize"/>.</exception>
    public static IReadOnlyList<MerkleRange> ConsistencyRanges(long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);

        var proof = new List<MerkleRange>();
        if (oldSize > 0 && oldSize < newSize)
        {
            AppendSubproof(oldSize, 0, newSize, true, proof);
        }

        return proof;
    }

    /// <summary>
    /// The perfect subtrees a range splits into, largest (leftmost) first. The Merkle Tree Hash of the
    /// range is theirs folded from the right (<see cref="RangeHash"/>); a stored tree keeps exactly these nodes.
    /// </summary>
    /// <exception cref="ArgumentException">The range is not one the tree's recursion produces (see <see cref="MerkleRange.IsTreeRange"/>).</exception>
    public static IReadOnlyList<MerkleNode> PerfectSubtrees(MerkleRange range)
    {
        if (!range.IsTreeRange)
        {
            throw new ArgumentException($"[{range.Start}, {range.Start + range.Count}) is not a subtree of a Merkle tree.", nameof(range));
        }

        var nodes = new List<MerkleNode>();
        var start = range.Start;
        var end = range.Start + range.Count;
        while (start < end)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - start));
            nodes.Add(new MerkleNode(level, start >> level));
            start += 1L << level;
        }

        return nodes;
    }

    /// <summary>
    /// The Merkle Tree Hash of a range from the hashes of its perfect subtrees, given by
    /// <paramref name="node"/> (a stored tree's lookup): O(log n) hashes, no leaf read.
    /// </summary>
    public static byte[] RangeHash(MerkleRange range, Func<MerkleNode, byte[]> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var subtrees = PerfectSubtrees(range);
        var hash = (byte[])node(subtrees[^1]).Clone();
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            HashChildren(node(subtrees[i]), hash, hash);
        }

        return hash;
    }

    /// <summary>
    /// Whether <paramref name="proof"/> proves that <paramref name="leafHash"/> is the leaf at
    /// <paramref name="index"/> of the tree of <paramref name="treeSize"/> leaves whose root is
    /// <paramref name="root"/>: the algorithm of RFC 9162 §2.1.3.2, step by step.
    /// </summary>
    /// <remarks>
    /// False, never an exception, for anything malformed: a negative index, an index at or past the tree
    /// size (so for every index when the tree is empty), a missing proof, or a leaf hash, root or proof
    /// element that is not 32 bytes. The proof must be consumed exactly: one element too many or too few fails.
    /// </remarks>
    public static bool VerifyInclusion(
        ReadOnlySpan<byte> leafHash, long index, long treeSize, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (proof is null || leafHash.Length != HashLength || root.Length != HashLength || !AreHashes(proof))
        {
            return false;
        }

        // 1. leaf_index >= tree_size fails (and, here, so does any negative value).
        if (index < 0 || treeSize <= 0 || index >= treeSize)
        {
            return false;
        }

        // 2. fn = leaf_index, sn = tree_size - 1.
        var fn = index;
        var sn = treeSize - 1;

        // 3. r = hash.
        Span<byte> r = stackalloc byte[HashLength];
        leafHash.CopyTo(r);

        // 4. For each value p in the inclusion_path array:
        for (var i = 0; i < proof.Count; i++)
        {
            var p = proof[i];

            // a. sn = 0 with elements left over: the proof is too long.
            if (sn == 0)
            {
                return false;
            }

            // b. Is p a left sibling?
            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(p, r, r);

                // ii. On the right border, climb the levels where this node has no sibling.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                HashChildren(r, p, r);
            }

            // c.
            fn >>= 1;
            sn >>= 1;
        }

        // 5. sn = 0 (the proof reached the root) and r equals the root.
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>
    /// Whether <paramref name="proof"/> proves that the tree of <paramref name="oldSize"/> leaves with root
    /// <paramref name="oldRoot"/> is a prefix of the tree of <paramref name="newSize"/> leaves with root
    /// <paramref name="newRoot"/>: the algorithm of RFC 9162 §2.1.4.2, step by step, for 0 &lt; old &lt; new.
    /// </summary>
    /// <remarks>
    /// <para>
    /// RFC 9162 §2.1.4.2 specifies verification only for 0 &lt; first &lt; second. The remaining cases are
    /// decided as follows, each matching what <see cref="ConsistencyRanges"/> describes:
    /// </para>
    /// <list type="bullet">
    /// <item><description>
    /// old = new: consistent exactly when the proof is empty and the two roots are equal (PROOF(n, D[n]) is
    /// empty: a tree is consistent with itself and with nothing else of its size).
    /// </description></item>
    /// <item><description>
    /// old = 0: accepted only with an empty proof and an <paramref name="oldRoot"/> equal to
    /// <see cref="EmptyRoot"/>, the MTH of the empty list. The empty list is a prefix of every list, so there
    /// is nothing to prove about the new tree and its root (of any 32 bytes) is not checked, except that for
    /// new = 0 it must be the empty root too. Any other old root for size 0 is not the root of an empty
    /// tree, and is refused.
    /// </description></item>
    /// <item><description>
    /// Anything malformed is refused, never thrown: a negative size, old &gt; new, a missing proof, a root or a
    /// proof element that is not 32 bytes, an empty proof when 0 &lt; old &lt; new (step 1).
    /// </description></item>
    /// </list>
    /// </remarks>
    public static bool VerifyConsistency(
        long oldSize, long newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof)
    {
        if (proof is null || oldRoot.Length != HashLength || newRoot.Length != HashLength || !AreHashes(proof))
        {
            return false;
        }

        if (oldSize < 0 || newSize < 0 || oldSize > newSize)
        {
            return false;
        }

        if (oldSize == 0)
        {
            return proof.Count == 0
                && CryptographicOperations.FixedTimeEquals(oldRoot, EmptyTreeHash)
                && (newSize > 0 || CryptographicOperations.FixedTimeEquals(newRoot, EmptyTreeHash));
        }

        if (oldSize == newSize)
        {
            return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(oldRoot, newRoot);
        }

        // 1. An empty consistency_path fails.
        if (proof.Count == 0)
        {
            return false;
        }

        // 2. If first is an exact power of 2, first_hash is prepended to the path; it is read from oldRoot
        //    rather than copied into a new list.
        var prepended = BitOperations.IsPow2(oldSize);
        var pathLength = proof.Count + (prepended ? 1 : 0);

        // 3. fn = first - 1, sn = second - 1.
        var fn = oldSize - 1;
        var sn = newSize - 1;

        // 4. Skip the levels where the old tree's last leaf is a right child.
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // 5. fr = sr = the first value of the path.
        Span<byte> fr = stackalloc byte[HashLength];
        Span<byte> sr = stackalloc byte[HashLength];
        ReadOnlySpan<byte> first = prepended ? oldRoot : proof[0];
        first.CopyTo(fr);
        first.CopyTo(sr);

        // 6. For each subsequent value c in the path:
        for (var i = 1; i < pathLength; i++)
        {
            ReadOnlySpan<byte> c = prepended ? proof[i - 1] : proof[i];

            // a. sn = 0 with elements left over: the proof is too long.
            if (sn == 0)
            {
                return false;
            }

            // b. A left sibling belongs to both trees; a right one only to the new tree.
            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(c, fr, fr);
                HashChildren(c, sr, sr);

                // iii.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                HashChildren(sr, c, sr);
            }

            // c.
            fn >>= 1;
            sn >>= 1;
        }

        // 7. fr = first_hash, sr = second_hash and sn = 0. Both roots are compared whatever the outcome of
        //    the other comparison.
        var oldMatches = CryptographicOperations.FixedTimeEquals(fr, oldRoot);
        var newMatches = CryptographicOperations.FixedTimeEquals(sr, newRoot);
        return sn == 0 & oldMatches & newMatches;
    }

    /// <summary>SHA-256(0x01 || left || right) into <paramref name="destination"/>, which may be either child.</summary>
    internal static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> message = stackalloc byte[1 + (2 * HashLength)];
        NodeMessage(left, right, message);
        SHA256.HashData(message, destination);
    }


    private static void NodeMessage(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> message)
    {
        message[0] = NodePrefix;
        left.CopyTo(message[1..]);
        right.CopyTo(message[(1 + HashLength)..]);
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/>, for n ≥ 2.</summary>
    private static long SplitPoint(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>
    /// PATH(m, D[start : start + n]): for n &gt; 1, the path within the half holding m, then the other half.
    /// The halves named along the way are disjoint, so hashing them all costs O(n) hashes from the leaves.
    /// </summary>
    private static void AppendPath(long m, long start, long n, List<MerkleRange> path)
    {
        if (n == 1)
        {
            return;
        }

        var k = SplitPoint(n);
        if (m < k)
        {
            AppendPath(m, start, k, path);
            path.Add(new MerkleRange(start + k, n - k));
        }
        else
        {
            AppendPath(m - k, start + k, n - k, path);
            path.Add(new MerkleRange(start, k));
        }
    }

    /// <summary>
    /// SUBPROOF(m, D[start : start + n], b) of RFC 6962 §2.1.2: b says whether the subtree of the first m
    /// leaves is one the verifier already knows the hash of (the old root itself). As for paths, the
    /// subtrees named are disjoint.
    /// </summary>
    private static void AppendSubproof(long m, long start, long n, bool known, List<MerkleRange> proof)
    {
        if (m == n)
        {
            if (!known)
            {
                proof.Add(new MerkleRange(start, n));
            }

            return;
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            AppendSubproof(m, start, k, known, proof);
            proof.Add(new MerkleRange(start + k, n - k));
        }
        else
        {
            AppendSubproof(m - k, start + k, n - k, false, proof);
            proof.Add(new MerkleRange(start, k));
        }
    }

    private static bool AreHashes(IReadOnlyList<byte[]> proof)
    {
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is not { Length: HashLength })
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The leaves [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of a Merkle tree.</summary>
public readonly record struct MerkleRange(long Start, long Count)
{
    /// <summary>
    /// Whether the tree's recursion can produce this range: it starts at a multiple of the smallest power
    /// of two that is at least its length (every subtree an RFC 6962 proof names does, by induction on the
    /// split), so its split at the largest power of two below its length is a perfect, aligned subtree.
    /// </summary>
    public bool IsTreeRange =>
        Start >= 0 && Count >= 1 && (Start & ((long)BitOperations.RoundUpToPowerOf2((ulong)Count) - 1)) == 0;
}

/// <summary>
/// A perfect subtree of a Merkle tree: the 2^<see cref="Level"/> leaves from <see cref="Index"/> ·
/// 2^<see cref="Level"/>. Level 0 holds the leaf hashes; node (l + 1, i) hashes (l, 2i) and (l, 2i + 1).
/// </summary>
public readonly record struct MerkleNode(int Level, long Index)
{
    /// <summary>The index of the node's first leaf.</summary>
    public long FirstLeaf => Index << Level;

    /// <summary>The number of leaves a tree must hold for this node to be complete.</summary>
    public long CompleteAt => (Index + 1) << Level;
}
