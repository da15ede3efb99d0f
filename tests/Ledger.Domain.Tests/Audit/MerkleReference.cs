using System.Security.Cryptography;
using System.Text;
using Ledger.Domain.Audit;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// An independent, deliberately naive statement of RFC 6962 §2.1, written from the RFC's text over raw
/// entries and sharing no code with <see cref="MerkleTree"/>: what the tests hold the real thing to.
/// </summary>
internal static class MerkleReference
{
    /// <summary>Which side of the path a proof element sits on.</summary>
    internal enum Side
    {
        /// <summary>A left sibling: hashed as (element, running hash). Part of both trees in a consistency proof.</summary>
        Left,

        /// <summary>A right sibling: hashed as (running hash, element). Only in the new tree.</summary>
        Right,

        /// <summary>The first element of a consistency proof: the hash of a subtree both trees share.</summary>
        Seed,
    }

    /// <summary>MTH(D[n]) of RFC 6962 §2.1, over the entries themselves.</summary>
    internal static byte[] Mth(IReadOnlyList<byte[]> d)
    {
        if (d.Count == 0)
        {
            return SHA256.HashData(Array.Empty<byte>());
        }

        if (d.Count == 1)
        {
            return SHA256.HashData([0x00, .. d[0]]);
        }

        var k = K(d.Count);
        return SHA256.HashData([0x01, .. Mth(Slice(d, 0, k)), .. Mth(Slice(d, k, d.Count))]);
    }

    /// <summary>PATH(m, D[n]) of RFC 6962 §2.1.1.</summary>
    internal static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
    {
        var n = d.Count;
        if (n == 1)
        {
            return [];
        }

        var k = K(n);
        return m < k
            ? [.. Path(m, Slice(d, 0, k)), Mth(Slice(d, k, n))]
            : [.. Path(m - k, Slice(d, k, n)), Mth(Slice(d, 0, k))];
    }

    /// <summary>PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 6962 §2.1.2.</summary>
    internal static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => Subproof(m, d, true);

    /// <summary>The side of each element of PATH(m, D[n]), from the leaf up.</summary>
    internal static List<Side> PathShape(long m, long n)
    {
        if (n == 1)
        {
            return [];
        }

        var k = K(n);
        return m < k ? [.. PathShape(m, k), Side.Right] : [.. PathShape(m - k, n - k), Side.Left];
    }

    /// <summary>The role of each element of PROOF(m, D[n]), 0 &lt; m &lt; n, as SUBPROOF lays them out.</summary>
    internal static List<Side> ProofShape(long m, long n) => SubproofShape(m, n, true);

    /// <summary>The eight entries of the Certificate Transparency reference vectors.</summary>
    internal static readonly byte[][] CtEntries =
    [
        Hex(""),
        Hex("00"),
        Hex("10"),
        Hex("2021"),
        Hex("3031"),
        Hex("40414243"),
        Hex("5051525354555657"),
        Hex("606162636465666768696a6b6c6d6e6f"),
    ];

    /// <summary>Distinct entries "entry 0", "entry 1", ...</summary>
    internal static byte[][] Entries(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"entry {i}"))];

    internal static byte[][] LeafHashes(IEnumerable<byte[]> entries) => [.. entries.Select(e => MerkleTree.LeafHash(e))];

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex);

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A copy of <paramref name="bytes"/> with one bit flipped.</summary>
    internal static byte[] FlipBit(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static List<byte[]> Subproof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        var n = d.Count;
        if (m == n)
        {
            return b ? [] : [Mth(d)];
        }

        var k = K(n);
        return m <= k
            ? [.. Subproof(m, Slice(d, 0, k), b), Mth(Slice(d, k, n))]
            : [.. Subproof(m - k, Slice(d, k, n), false), Mth(Slice(d, 0, k))];
    }

    private static List<Side> SubproofShape(long m, long n, bool b)
    {
        if (m == n)
        {
            return b ? [] : [Side.Seed];
        }

        var k = K(n);
        return m <= k
            ? [.. SubproofShape(m, k, b), Side.Right]
            : [.. SubproofShape(m - k, n - k, false), Side.Left];
    }

    /// <summary>"the largest power of two smaller than n", counted up the way the RFC says it.</summary>
    private static int K(int n) => (int)K((long)n);

    private static long K(long n)
    {
        long k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static byte[][] Slice(IReadOnlyList<byte[]> d, int from, int to) => [.. d.Skip(from).Take(to - from)];
}
