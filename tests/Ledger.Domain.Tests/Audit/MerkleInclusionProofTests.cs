using System.Security.Cryptography;
using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>Audit paths (RFC 6962 §2.1.1) and their verification (RFC 9162 §2.1.3.2).</summary>
public class MerkleInclusionProofTests
{
    private const int Largest = 64;

    private static readonly byte[][] Leaves = LeafHashes(Entries(Largest + 1));

    private static readonly byte[][] Roots =
        [.. Enumerable.Range(0, Largest + 2).Select(n => LeafHashTree.Root(Leaves, Math.Min(n, Leaves.Length)))];

    /// <summary>
    /// The inclusion proofs published with the Certificate Transparency reference vectors
    /// (transparency-dev/merkle proof/verify_test.go, "inclusionProofs"), with 0-based leaf indexes.
    /// </summary>
    public static TheoryData<int, int, string[]> PublishedProofs => new()
    {
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 3,
            ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]
        },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(PublishedProofs))]
    public void The_certificate_transparency_reference_proofs_are_reproduced_and_verify(
        int index, int treeSize, string[] published)
    {
        // Given the reference tree
        var leaves = LeafHashes(CtEntries);
        var root = LeafHashTree.Root(leaves, treeSize);

        // When the audit path is generated
        var proof = LeafHashTree.InclusionProof(leaves, index, treeSize);

        // Then it is the published one, and it verifies
        proof.Select(Hex).ShouldBe(published);
        MerkleTree.VerifyInclusion(leaves[index], index, treeSize, proof, root).ShouldBeTrue();
        MerkleTree.VerifyInclusion(leaves[index], index, treeSize, [.. published.Select(Hex)], root).ShouldBeTrue();
    }

    [Fact]
    public void Every_leaf_of_every_tree_up_to_64_has_the_rfc_path_and_it_verifies()
    {
        var entries = Entries(Largest);

        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);

                proof.ShouldBe(Path(m, entries[..n]), $"PATH({m}, D[{n}])");
                MerkleTree.VerifyInclusion(Leaves[m], m, n, proof, Roots[n]).ShouldBeTrue($"leaf {m} of {n}");
            }
        }
    }

    [Fact]
    public void The_only_leaf_of_a_one_leaf_tree_is_proven_by_the_empty_path()
    {
        var leaf = MerkleTree.LeafHash("only"u8);

        LeafHashTree.InclusionProof([leaf], 0, 1).ShouldBeEmpty();
        MerkleTree.VerifyInclusion(leaf, 0, 1, [], leaf).ShouldBeTrue();
        MerkleTree.VerifyInclusion(leaf, 0, 1, [], MerkleTree.EmptyRoot).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 0, 1, [leaf], leaf).ShouldBeFalse();
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_the_path_the_leaf_or_the_root_is_refused()
    {
        // Every bit of every hash, for every leaf of every tree up to 10 leaves
        for (var n = 1; n <= 10; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                for (var bit = 0; bit < 256; bit++)
                {
                    MerkleTree.VerifyInclusion(FlipBit(Leaves[m], bit), m, n, proof, Roots[n])
                        .ShouldBeFalse($"leaf {m} of {n}, leaf bit {bit}");
                    MerkleTree.VerifyInclusion(Leaves[m], m, n, proof, FlipBit(Roots[n], bit))
                        .ShouldBeFalse($"leaf {m} of {n}, root bit {bit}");
                    for (var i = 0; i < proof.Count; i++)
                    {
                        MerkleTree.VerifyInclusion(Leaves[m], m, n, Replace(proof, i, FlipBit(proof[i], bit)), Roots[n])
                            .ShouldBeFalse($"leaf {m} of {n}, proof[{i}] bit {bit}");
                    }
                }
            }
        }

        // One bit of each hash, a different one each time, up to 64 leaves
        var next = 0;
        for (var n = 11; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                MerkleTree.VerifyInclusion(FlipBit(Leaves[m], next++ % 256), m, n, proof, Roots[n]).ShouldBeFalse();
                MerkleTree.VerifyInclusion(Leaves[m], m, n, proof, FlipBit(Roots[n], next++ % 256)).ShouldBeFalse();
                for (var i = 0; i < proof.Count; i++)
                {
                    MerkleTree.VerifyInclusion(Leaves[m], m, n, Replace(proof, i, FlipBit(proof[i], next++ % 256)), Roots[n])
                        .ShouldBeFalse($"leaf {m} of {n}, proof[{i}]");
                }
            }
        }
    }

    [Fact]
    public void A_path_with_an_element_too_few_or_too_many_is_refused()
    {
        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                var root = Roots[n];
                var leaf = Leaves[m];

                if (proof.Count > 0)
                {
                    MerkleTree.VerifyInclusion(leaf, m, n, proof.SkipLast(1).ToList(), root).ShouldBeFalse($"{m}/{n} last dropped");
                    MerkleTree.VerifyInclusion(leaf, m, n, proof.Skip(1).ToList(), root).ShouldBeFalse($"{m}/{n} first dropped");
                    MerkleTree.VerifyInclusion(leaf, m, n, [.. proof, proof[^1]], root).ShouldBeFalse($"{m}/{n} last repeated");
                    MerkleTree.VerifyInclusion(leaf, m, n, [proof[0], .. proof], root).ShouldBeFalse($"{m}/{n} first repeated");
                }

                MerkleTree.VerifyInclusion(leaf, m, n, [.. proof, root], root).ShouldBeFalse($"{m}/{n} root appended");
                MerkleTree.VerifyInclusion(leaf, m, n, [.. proof, leaf], root).ShouldBeFalse($"{m}/{n} leaf appended");
                MerkleTree.VerifyInclusion(leaf, m, n, [root, .. proof], root).ShouldBeFalse($"{m}/{n} root prepended");
                MerkleTree.VerifyInclusion(leaf, m, n, [leaf, .. proof], root).ShouldBeFalse($"{m}/{n} leaf prepended");
                MerkleTree.VerifyInclusion(leaf, m, n, [.. proof, new byte[32]], root).ShouldBeFalse($"{m}/{n} zeros appended");
            }
        }
    }

    [Fact]
    public void A_path_with_two_elements_swapped_is_refused()
    {
        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                for (var i = 0; i < proof.Count; i++)
                {
                    for (var j = i + 1; j < proof.Count; j++)
                    {
                        var swapped = proof.ToArray();
                        (swapped[i], swapped[j]) = (swapped[j], swapped[i]);

                        MerkleTree.VerifyInclusion(Leaves[m], m, n, swapped, Roots[n]).ShouldBeFalse($"{m}/{n} swap {i}, {j}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_path_is_refused_for_any_other_index()
    {
        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                // Every index in (and just outside) trees up to 32; the neighbours and extremes beyond
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                var others = n <= 32 ? Enumerable.Range(-1, n + 2) : Enumerable.Range(m - 3, 7).Append(0).Append(n - 1).Append(n);
                foreach (var other in others.Select(i => (long)i).Append(long.MaxValue).Append(long.MinValue))
                {
                    if (other != m)
                    {
                        MerkleTree.VerifyInclusion(Leaves[m], other, n, proof, Roots[n]).ShouldBeFalse($"{m}/{n} as index {other}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_path_replayed_for_another_leaf_is_refused()
    {
        for (var n = 2; n <= 24; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                for (var other = 0; other <= n; other++)
                {
                    if (other != m)
                    {
                        // Another leaf's hash, at this leaf's index and at its own
                        MerkleTree.VerifyInclusion(Leaves[other], m, n, proof, Roots[n]).ShouldBeFalse($"{m}/{n} leaf {other}");
                        MerkleTree.VerifyInclusion(Leaves[other], other, n, proof, Roots[n]).ShouldBeFalse($"{m}/{n} for {other}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_path_is_refused_for_a_neighbouring_tree_size_under_that_size_s_root()
    {
        // The realistic forgery: the proof of leaf m in tree n presented against the signed head of tree n ± 1
        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                foreach (var size in new[] { n - 1, n + 1 })
                {
                    MerkleTree.VerifyInclusion(Leaves[m], m, size, proof, Roots[size]).ShouldBeFalse($"{m}/{n} as {m}/{size}");
                }
            }
        }
    }

    [Fact]
    public void A_path_binds_the_tree_size_only_through_the_shape_of_the_path()
    {
        // RFC 9162 §2.1.3.2 reads the size only to tell left siblings from right ones and to know when the root
        // is reached. Two sizes whose paths have the same shape are indistinguishable to it: with the root kept,
        // a proof is accepted for the other size exactly when the shapes agree. (No tree of the other size has
        // that root, so a verifier taking the size and root from one signed tree head is not misled.)
        var ambiguous = 0;
        for (var n = 1; n <= Largest; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                foreach (var size in new long[] { n - 1, n + 1, 2L * n, n / 2, (1L << 40) + 3 })
                {
                    var sameShape = m < size && PathShape(m, size).SequenceEqual(PathShape(m, n));
                    ambiguous += sameShape ? 1 : 0;

                    MerkleTree.VerifyInclusion(Leaves[m], m, size, proof, Roots[n])
                        .ShouldBe(sameShape, $"{m}/{n} as {m}/{size}");
                }
            }
        }

        // For example, leaf 0 of 5 and leaf 0 of 6 both have a path of three right siblings
        PathShape(0, 5).ShouldBe(PathShape(0, 6));
        ambiguous.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_path_element_that_is_not_32_bytes_is_refused(int length)
    {
        for (var n = 2; n <= 9; n++)
        {
            for (var m = 0; m < n; m++)
            {
                var proof = LeafHashTree.InclusionProof(Leaves, m, n);
                for (var i = 0; i < proof.Count; i++)
                {
                    // The element's own bytes, cut short or padded, and zeros
                    var resized = new byte[length];
                    proof[i].AsSpan(0, Math.Min(length, 32)).CopyTo(resized);

                    MerkleTree.VerifyInclusion(Leaves[m], m, n, Replace(proof, i, resized), Roots[n]).ShouldBeFalse();
                    MerkleTree.VerifyInclusion(Leaves[m], m, n, [.. proof, new byte[length]], Roots[n]).ShouldBeFalse();
                }
            }
        }
    }

    [Fact]
    public void A_malformed_claim_is_refused_without_an_exception()
    {
        // Given a genuine proof of leaf 3 in a tree of 7
        var proof = LeafHashTree.InclusionProof(Leaves, 3, 7);
        var leaf = Leaves[3];
        var root = Roots[7];
        MerkleTree.VerifyInclusion(leaf, 3, 7, proof, root).ShouldBeTrue();

        // Then every malformed variant is simply false
        MerkleTree.VerifyInclusion(leaf, 3, 7, null!, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, 7, Replace(proof, 1, null!), root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf.AsSpan(0, 31), 3, 7, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion([.. leaf, 0], 3, 7, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion([], 3, 7, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, 7, proof, root.AsSpan(0, 31)).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, 7, proof, [.. root, 0]).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, 7, proof, []).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, -3, 7, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, -7, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 3, 3, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, 0, 0, [], MerkleTree.EmptyRoot).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, long.MinValue, long.MaxValue, proof, root).ShouldBeFalse();
        MerkleTree.VerifyInclusion(leaf, long.MaxValue, long.MinValue, proof, root).ShouldBeFalse();
    }

    [Fact]
    public void Huge_sizes_and_long_paths_are_refused_without_an_exception()
    {
        var leaf = Leaves[0];
        var garbage = Enumerable.Range(0, 200).Select(i => MerkleTree.LeafHash([(byte)i])).ToArray();

        foreach (var (index, size) in new[] { (0L, long.MaxValue), (long.MaxValue - 1, long.MaxValue), (1L << 62, long.MaxValue) })
        {
            foreach (var length in new[] { 0, 1, 62, 63, 64, 200 })
            {
                MerkleTree.VerifyInclusion(leaf, index, size, garbage[..length], Roots[8]).ShouldBeFalse($"{index}/{size}, {length}");
            }
        }
    }

    [Fact]
    public void An_interior_node_presented_as_an_entry_does_not_verify()
    {
        // Given a tree of four entries, whose root is H(1 || N01 || N23) with N01 = H(1 || L0 || L1)
        var leaves = LeafHashes(Entries(4));
        var root = LeafHashTree.Root(leaves);
        var n01 = MerkleTree.NodeHash(leaves[0], leaves[1]);
        var n23 = MerkleTree.NodeHash(leaves[2], leaves[3]);

        // The forgery the prefixes exist to stop: claim N01 is an entry at index 0 of a two-entry tree
        MerkleTree.VerifyInclusion(n01, 0, 2, [n23], root).ShouldBeTrue(
            "an interior hash handed over as a leaf hash climbs to the root: a verifier must hash the entry itself");

        // When the attacker must supply an entry whose leaf hash is checked instead
        byte[][] forgedEntries = [[.. leaves[0], .. leaves[1]], [0x01, .. leaves[0], .. leaves[1]], n01];
        foreach (var entry in forgedEntries)
        {
            var leafHash = MerkleTree.LeafHash(entry);

            // Then its leaf hash is never the interior node, and verifies nowhere in the tree
            leafHash.ShouldNotBe(n01);
            MerkleTree.VerifyInclusion(leafHash, 0, 2, [n23], root).ShouldBeFalse();
            for (var size = 1; size <= 4; size++)
            {
                for (var index = 0; index < size; index++)
                {
                    MerkleTree.VerifyInclusion(leafHash, index, size, LeafHashTree.InclusionProof(leaves, index, size), root)
                        .ShouldBeFalse($"{index}/{size}");
                }
            }
        }
    }

    [Fact]
    public void Without_the_prefixes_the_interior_node_would_pass_for_a_leaf()
    {
        // The control experiment: hash leaves and nodes alike, as SHA-256 of the bare bytes, and the
        // 64-byte entry L0 || L1 collides with the interior node above L0 and L1
        var l0 = SHA256.HashData("entry 0"u8);
        var l1 = SHA256.HashData("entry 1"u8);
        byte[] entry = [.. l0, .. l1];

        SHA256.HashData(entry)
            .ShouldBe(SHA256.HashData([.. l0, .. l1]));

        // With them, the same bytes as an entry and as a node hash differently
        MerkleTree.LeafHash(entry).ShouldNotBe(MerkleTree.NodeHash(l0, l1));
    }

    private static byte[][] Replace(IReadOnlyList<byte[]> proof, int index, byte[] element)
    {
        var copy = proof.ToArray();
        copy[index] = element;
        return copy;
    }
}
