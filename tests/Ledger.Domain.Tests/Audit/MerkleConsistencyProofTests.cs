using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>Consistency proofs (RFC 6962 §2.1.2) and their verification (RFC 9162 §2.1.4.2).</summary>
public class MerkleConsistencyProofTests
{
    private const int Largest = 64;

    private static readonly byte[][] Leaves = LeafHashes(Entries(Largest + 1));

    private static readonly byte[][] Roots =
        [.. Enumerable.Range(0, Largest + 2).Select(n => LeafHashTree.Root(Leaves, n))];

    /// <summary>
    /// The consistency proofs published with the Certificate Transparency reference vectors
    /// (transparency-dev/merkle proof/verify_test.go, "consistencyProofs").
    /// </summary>
    public static TheoryData<int, int, string[]> PublishedProofs => new()
    {
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(PublishedProofs))]
    public void The_certificate_transparency_reference_proofs_are_reproduced_and_verify(
        int oldSize, int newSize, string[] published)
    {
        // Given the reference tree
        var leaves = LeafHashes(CtEntries);
        var oldRoot = LeafHashTree.Root(leaves, oldSize);
        var newRoot = LeafHashTree.Root(leaves, newSize);

        // When the consistency proof is generated
        var proof = LeafHashTree.ConsistencyProof(leaves, oldSize, newSize);

        // Then it is the published one, and it verifies
        proof.Select(Hex).ShouldBe(published);
        MerkleTree.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, proof).ShouldBeTrue();
        MerkleTree.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, [.. published.Select(Hex)]).ShouldBeTrue();
    }

    [Fact]
    public void Every_pair_of_sizes_up_to_64_has_the_rfc_proof_and_it_verifies()
    {
        var entries = Entries(Largest);

        for (var n = 0; n <= Largest; n++)
        {
            for (var m = 0; m <= n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);

                var expected = m > 0 && m < n ? Proof(m, entries[..n]) : [];
                proof.ShouldBe(expected, $"PROOF({m}, D[{n}])");
                MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], proof).ShouldBeTrue($"{m} -> {n}");
            }
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_the_proof_or_either_root_is_refused()
    {
        // Every bit of every hash, for every pair of sizes up to 10
        for (var n = 2; n <= 10; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                for (var bit = 0; bit < 256; bit++)
                {
                    MerkleTree.VerifyConsistency(m, n, FlipBit(Roots[m], bit), Roots[n], proof)
                        .ShouldBeFalse($"{m} -> {n}, old root bit {bit}");
                    MerkleTree.VerifyConsistency(m, n, Roots[m], FlipBit(Roots[n], bit), proof)
                        .ShouldBeFalse($"{m} -> {n}, new root bit {bit}");
                    for (var i = 0; i < proof.Count; i++)
                    {
                        MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], Replace(proof, i, FlipBit(proof[i], bit)))
                            .ShouldBeFalse($"{m} -> {n}, proof[{i}] bit {bit}");
                    }
                }
            }
        }

        // One bit of each hash, a different one each time, up to 64
        var next = 0;
        for (var n = 11; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                MerkleTree.VerifyConsistency(m, n, FlipBit(Roots[m], next++ % 256), Roots[n], proof).ShouldBeFalse();
                MerkleTree.VerifyConsistency(m, n, Roots[m], FlipBit(Roots[n], next++ % 256), proof).ShouldBeFalse();
                for (var i = 0; i < proof.Count; i++)
                {
                    MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], Replace(proof, i, FlipBit(proof[i], next++ % 256)))
                        .ShouldBeFalse($"{m} -> {n}, proof[{i}]");
                }
            }
        }
    }

    [Fact]
    public void A_proof_with_an_element_too_few_or_too_many_is_refused()
    {
        for (var n = 2; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                var (oldRoot, newRoot) = (Roots[m], Roots[n]);

                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, []).ShouldBeFalse($"{m} -> {n} empty");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, proof.SkipLast(1).ToList()).ShouldBeFalse($"{m} -> {n} last dropped");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, proof.Skip(1).ToList()).ShouldBeFalse($"{m} -> {n} first dropped");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [.. proof, proof[^1]]).ShouldBeFalse($"{m} -> {n} last repeated");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [proof[0], .. proof]).ShouldBeFalse($"{m} -> {n} first repeated");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [oldRoot, .. proof]).ShouldBeFalse($"{m} -> {n} old root prepended");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [newRoot, .. proof]).ShouldBeFalse($"{m} -> {n} new root prepended");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [.. proof, oldRoot]).ShouldBeFalse($"{m} -> {n} old root appended");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [.. proof, newRoot]).ShouldBeFalse($"{m} -> {n} new root appended");
                MerkleTree.VerifyConsistency(m, n, oldRoot, newRoot, [.. proof, new byte[32]]).ShouldBeFalse($"{m} -> {n} zeros appended");
            }
        }
    }

    [Fact]
    public void A_proof_with_two_elements_swapped_is_refused()
    {
        for (var n = 2; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                for (var i = 0; i < proof.Count; i++)
                {
                    for (var j = i + 1; j < proof.Count; j++)
                    {
                        var swapped = proof.ToArray();
                        (swapped[i], swapped[j]) = (swapped[j], swapped[i]);

                        MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], swapped).ShouldBeFalse($"{m} -> {n} swap {i}, {j}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Swapped_roots_are_refused()
    {
        for (var n = 2; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);

                MerkleTree.VerifyConsistency(m, n, Roots[n], Roots[m], proof).ShouldBeFalse($"{m} -> {n}");
                MerkleTree.VerifyConsistency(n, m, Roots[n], Roots[m], proof).ShouldBeFalse($"{n} -> {m}");
                MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[m], proof).ShouldBeFalse($"{m} -> {n}, old root twice");
                MerkleTree.VerifyConsistency(m, n, Roots[n], Roots[n], proof).ShouldBeFalse($"{m} -> {n}, new root twice");
            }
        }
    }

    [Fact]
    public void A_proof_is_refused_for_neighbouring_sizes_under_those_sizes_roots()
    {
        // The realistic forgery: the proof for (m, n) presented for the signed heads of (m, n ± 1) or (m ± 1, n)
        for (var n = 2; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                foreach (var (oldSize, newSize) in new[] { (m, n + 1), (m, n - 1), (m + 1, n), (m - 1, n) })
                {
                    MerkleTree.VerifyConsistency(oldSize, newSize, Roots[oldSize], Roots[newSize], proof)
                        .ShouldBeFalse($"({m}, {n}) as ({oldSize}, {newSize})");
                }
            }
        }
    }

    [Fact]
    public void A_proof_binds_the_sizes_only_through_the_shape_of_the_proof()
    {
        // As for inclusion, RFC 9162 §2.1.4.2 reads the sizes only to place each element left or right: with
        // both roots kept, a proof is accepted for other sizes exactly when SUBPROOF lays the proof for those
        // sizes out the same way. (No trees of those sizes have those roots, so a verifier taking sizes and
        // roots from signed tree heads is not misled.)
        var ambiguous = 0;
        for (var n = 2; n <= Largest; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                foreach (var (oldSize, newSize) in new[] { (m, n + 1), (m, n - 1), (m + 1, n), (m - 1, n), (m, 2 * n), (2 * m, 2 * n) })
                {
                    var sameShape = oldSize > 0 && oldSize < newSize && ProofShape(oldSize, newSize).SequenceEqual(ProofShape(m, n));
                    ambiguous += sameShape ? 1 : 0;

                    MerkleTree.VerifyConsistency(oldSize, newSize, Roots[m], Roots[n], proof)
                        .ShouldBe(sameShape, $"({m}, {n}) as ({oldSize}, {newSize})");
                }
            }
        }

        // For example (4, 5) and (4, 6): the old root, then one right sibling
        ProofShape(4, 5).ShouldBe([Side.Right]);
        ProofShape(4, 6).ShouldBe([Side.Right]);
        ambiguous.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_tree_is_consistent_with_itself_by_the_empty_proof_only()
    {
        for (var n = 0; n <= Largest; n++)
        {
            LeafHashTree.ConsistencyProof(Leaves, n, n).ShouldBeEmpty();
            MerkleTree.VerifyConsistency(n, n, Roots[n], Roots[n], []).ShouldBeTrue($"{n}");
            MerkleTree.VerifyConsistency(n, n, Roots[n], Roots[n + 1], []).ShouldBeFalse($"{n}, other root");
            MerkleTree.VerifyConsistency(n, n, Roots[n], FlipBit(Roots[n], n), []).ShouldBeFalse($"{n}, flipped root");
            MerkleTree.VerifyConsistency(n, n, Roots[n], Roots[n], [Roots[n]]).ShouldBeFalse($"{n}, root as proof");
            MerkleTree.VerifyConsistency(n, n, Roots[n], Roots[n], [Leaves[0]]).ShouldBeFalse($"{n}, leaf as proof");
        }
    }

    [Fact]
    public void The_empty_tree_is_consistent_with_every_tree_by_the_empty_proof_and_the_empty_root()
    {
        for (var n = 1; n <= Largest; n++)
        {
            // The proof from nothing is empty, and nothing about the new tree is (or can be) checked
            LeafHashTree.ConsistencyProof(Leaves, 0, n).ShouldBeEmpty();
            MerkleTree.VerifyConsistency(0, n, MerkleTree.EmptyRoot, Roots[n], []).ShouldBeTrue($"{n}");
            MerkleTree.VerifyConsistency(0, n, MerkleTree.EmptyRoot, FlipBit(Roots[n], 3), []).ShouldBeTrue($"{n}");

            // But the old root must be the empty tree's, the proof must be empty, and the new root a hash
            MerkleTree.VerifyConsistency(0, n, Roots[n], Roots[n], []).ShouldBeFalse($"{n}, a non-empty old root");
            MerkleTree.VerifyConsistency(0, n, FlipBit(MerkleTree.EmptyRoot, n), Roots[n], []).ShouldBeFalse($"{n}, flipped old root");
            MerkleTree.VerifyConsistency(0, n, MerkleTree.EmptyRoot, Roots[n], [Roots[n]]).ShouldBeFalse($"{n}, root as proof");
            MerkleTree.VerifyConsistency(0, n, MerkleTree.EmptyRoot, Roots[n], [MerkleTree.EmptyRoot]).ShouldBeFalse($"{n}, empty root as proof");
            MerkleTree.VerifyConsistency(0, n, MerkleTree.EmptyRoot, Roots[n].AsSpan(0, 31), []).ShouldBeFalse($"{n}, short new root");
        }

        MerkleTree.VerifyConsistency(0, 0, MerkleTree.EmptyRoot, MerkleTree.EmptyRoot, []).ShouldBeTrue();
        MerkleTree.VerifyConsistency(0, 0, MerkleTree.EmptyRoot, Roots[1], []).ShouldBeFalse();
        MerkleTree.VerifyConsistency(0, 0, Roots[1], Roots[1], []).ShouldBeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_proof_element_that_is_not_32_bytes_is_refused(int length)
    {
        for (var n = 2; n <= 9; n++)
        {
            for (var m = 1; m < n; m++)
            {
                var proof = LeafHashTree.ConsistencyProof(Leaves, m, n);
                for (var i = 0; i < proof.Count; i++)
                {
                    // The element's own bytes, cut short or padded, and zeros
                    var resized = new byte[length];
                    proof[i].AsSpan(0, Math.Min(length, 32)).CopyTo(resized);

                    MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], Replace(proof, i, resized)).ShouldBeFalse();
                    MerkleTree.VerifyConsistency(m, n, Roots[m], Roots[n], [.. proof, new byte[length]]).ShouldBeFalse();
                }
            }
        }
    }

    [Fact]
    public void A_malformed_claim_is_refused_without_an_exception()
    {
        // Given a genuine proof from 3 to 7
        var proof = LeafHashTree.ConsistencyProof(Leaves, 3, 7);
        var (oldRoot, newRoot) = (Roots[3], Roots[7]);
        MerkleTree.VerifyConsistency(3, 7, oldRoot, newRoot, proof).ShouldBeTrue();

        // Then every malformed variant is simply false
        MerkleTree.VerifyConsistency(3, 7, oldRoot, newRoot, null!).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, oldRoot, newRoot, Replace(proof, 0, null!)).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, oldRoot.AsSpan(0, 31), newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, [.. oldRoot, 0], newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, oldRoot, newRoot.AsSpan(0, 31), proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, oldRoot, [.. newRoot, 0], proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, 7, [], [], proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(-3, 7, oldRoot, newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(3, -7, oldRoot, newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(-7, -3, oldRoot, newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(7, 3, oldRoot, newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(7, 3, newRoot, oldRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(long.MinValue, long.MaxValue, oldRoot, newRoot, proof).ShouldBeFalse();
        MerkleTree.VerifyConsistency(-1, 0, MerkleTree.EmptyRoot, MerkleTree.EmptyRoot, []).ShouldBeFalse();
        MerkleTree.VerifyConsistency(1, 0, oldRoot, oldRoot, []).ShouldBeFalse();
    }

    [Fact]
    public void Huge_sizes_and_long_proofs_are_refused_without_an_exception()
    {
        var garbage = Enumerable.Range(0, 200).Select(i => MerkleTree.LeafHash([(byte)i])).ToArray();

        foreach (var (oldSize, newSize) in new[] { (1L, long.MaxValue), (long.MaxValue - 1, long.MaxValue), (1L << 62, long.MaxValue), (3L, 1L << 62) })
        {
            foreach (var length in new[] { 0, 1, 62, 63, 64, 200 })
            {
                MerkleTree.VerifyConsistency(oldSize, newSize, Roots[1], Roots[8], garbage[..length])
                    .ShouldBeFalse($"{oldSize} -> {newSize}, {length}");
            }
        }
    }

    private static byte[][] Replace(IReadOnlyList<byte[]> proof, int index, byte[] element)
    {
        var copy = proof.ToArray();
        copy[index] = element;
        return copy;
    }
}
