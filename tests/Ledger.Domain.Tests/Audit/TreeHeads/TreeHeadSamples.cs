using System.Security.Cryptography;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using NodaTime;

namespace Ledger.Domain.Tests.Audit.TreeHeads;

/// <summary>A small ledger's Merkle tree and heads of it, signed with real ECDSA P-256 keys.</summary>
internal static class TreeHeadSamples
{
    public const string Origin = "unoic-ledger.example/test";

    public static readonly NoteSigningKey KeyA = NoteSigningKey.Generate();
    public static readonly NoteSigningKey KeyB = NoteSigningKey.Generate();

    public static readonly byte[][] Leaves = [.. Enumerable.Range(0, 64).Select(i => MerkleTree.LeafHash(SHA256.HashData(BitConverter.GetBytes(i))))];

    public static readonly Instant Start = Instant.FromUtc(2024, 7, 25, 6, 0);

    /// <summary>The head of the first <paramref name="size"/> leaves, named for the first key and signed by every key given.</summary>
    public static SignedTreeHead Head(int size, params NoteSigningKey[] keys) => Head(size, Leaves, Start.Plus(Duration.FromMinutes(size)), keys);

    public static SignedTreeHead Head(int size, byte[][] leaves, Instant time, params NoteSigningKey[] keys)
    {
        var signers = keys.Length == 0 ? [KeyA] : keys;
        var head = new TreeHead(Origin, size, Convert.ToHexStringLower(LeafHashTree.Root(leaves, size)), time, size + 3, signers[0].PublicKey.Fingerprint);
        return new SignedTreeHead(new SignedNote(head.Text, [.. signers.Select(k => k.Sign(Origin, head.Text))]), head);
    }

    public static ConsistencyProof Proof(int from, int to, byte[][]? leaves = null)
    {
        leaves ??= Leaves;
        return new ConsistencyProof(from, to, Convert.ToHexStringLower(LeafHashTree.Root(leaves, from)), Convert.ToHexStringLower(LeafHashTree.Root(leaves, to)),
            [.. LeafHashTree.ConsistencyProof(leaves, from, to).Select(Convert.ToHexStringLower)]);
    }

    /// <summary>Another history: the same leaves but for one at <paramref name="index"/>.</summary>
    public static byte[][] Rewritten(int index)
    {
        var leaves = Leaves.ToArray();
        leaves[index] = MerkleTree.LeafHash([7, 7, 7]);
        return leaves;
    }
}
