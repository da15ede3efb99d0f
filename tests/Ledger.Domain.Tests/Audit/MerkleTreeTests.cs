using System.Security.Cryptography;
using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>Hashing and tree roots, against published vectors and the naive reference.</summary>
public class MerkleTreeTests
{
    /// <summary>
    /// MTH of the first 1..8 Certificate Transparency reference entries, as published with Google's
    /// certificate-transparency and transparency-dev/merkle tests (proof/verify_test.go, "roots").
    /// </summary>
    public static TheoryData<int, string> PublishedRoots => new()
    {
        { 1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" },
        { 2, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" },
        { 3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77" },
        { 4, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" },
        { 5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4" },
        { 6, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef" },
        { 7, "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c" },
        { 8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" },
    };

    [Fact]
    public void The_algorithm_is_named_for_its_hash_and_its_rfc()
    {
        MerkleTree.Algorithm.ShouldBe("sha256-rfc6962");
    }

    [Fact]
    public void The_empty_tree_hashes_to_the_sha256_of_nothing()
    {
        const string sha256OfNothing = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        Hex(MerkleTree.EmptyRoot).ShouldBe(sha256OfNothing);
        Hex(LeafHashTree.Root([])).ShouldBe(sha256OfNothing);
        Hex(LeafHashTree.Root(LeafHashes(Entries(3)), 0)).ShouldBe(sha256OfNothing);
        Hex(Mth([])).ShouldBe(sha256OfNothing);
    }

    [Fact]
    public void The_empty_root_is_a_fresh_copy_that_callers_cannot_corrupt()
    {
        // Given a caller that scribbles over the empty root it was handed
        var scribbled = MerkleTree.EmptyRoot;
        scribbled[0] ^= 0xff;

        // Then the next caller still gets the real one
        Hex(MerkleTree.EmptyRoot).ShouldStartWith("e3b0c442");
        MerkleTree.VerifyConsistency(0, 0, MerkleTree.EmptyRoot, MerkleTree.EmptyRoot, []).ShouldBeTrue();
    }

    [Fact]
    public void A_leaf_hash_is_the_sha256_of_0x00_and_the_entry()
    {
        foreach (var entry in CtEntries.Concat(Entries(5)))
        {
            MerkleTree.LeafHash(entry).ShouldBe(SHA256.HashData([0x00, .. entry]));
        }

        // The leaf hash of the empty entry, the root of the one-entry reference tree
        Hex(MerkleTree.LeafHash([])).ShouldBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(3_000_001)]
    public void A_leaf_hash_takes_entries_of_any_length(int length)
    {
        var entry = new byte[length];
        new Random(length).NextBytes(entry);

        MerkleTree.LeafHash(entry).ShouldBe(SHA256.HashData([0x00, .. entry]));
    }

    [Fact]
    public void A_node_hash_is_the_sha256_of_0x01_and_both_children()
    {
        var left = MerkleTree.LeafHash([1]);
        var right = MerkleTree.LeafHash([2]);

        MerkleTree.NodeHash(left, right).ShouldBe(SHA256.HashData([0x01, .. left, .. right]));
        MerkleTree.NodeHash(right, left).ShouldNotBe(MerkleTree.NodeHash(left, right));
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(32, 31)]
    [InlineData(32, 64)]
    public void A_node_hash_refuses_children_that_are_not_32_bytes(int left, int right)
    {
        Should.Throw<ArgumentException>(() => MerkleTree.NodeHash(new byte[left], new byte[right]));
    }

    [Theory]
    [MemberData(nameof(PublishedRoots))]
    public void The_certificate_transparency_reference_trees_have_their_published_roots(int size, string root)
    {
        // Given the eight reference entries, leaf-hashed
        var leaves = LeafHashes(CtEntries);

        // Then every prefix hashes to the published root, both ways, and so does the naive reference
        Hex(LeafHashTree.Root(leaves, size)).ShouldBe(root);
        Hex(LeafHashTree.Root(leaves[..size])).ShouldBe(root);
        Hex(Mth(CtEntries[..size])).ShouldBe(root);
    }

    [Fact]
    public void Every_tree_up_to_130_leaves_has_the_root_of_the_naive_reference()
    {
        var entries = Entries(130);
        var leaves = LeafHashes(entries);

        for (var n = 0; n <= entries.Length; n++)
        {
            var expected = Mth(entries[..n]);

            LeafHashTree.Root(leaves, n).ShouldBe(expected, $"size {n}");
            LeafHashTree.Root(leaves[..n]).ShouldBe(expected, $"size {n}");
        }
    }

    [Fact]
    public void A_root_depends_on_every_leaf_and_on_their_order()
    {
        var leaves = LeafHashes(Entries(11));
        var root = LeafHashTree.Root(leaves);

        for (var i = 0; i < leaves.Length; i++)
        {
            var changed = (byte[][])leaves.Clone();
            changed[i] = FlipBit(leaves[i], 100);
            LeafHashTree.Root(changed).ShouldNotBe(root, $"leaf {i} changed");

            if (i + 1 < leaves.Length)
            {
                var swapped = (byte[][])leaves.Clone();
                (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
                LeafHashTree.Root(swapped).ShouldNotBe(root, $"leaves {i} and {i + 1} swapped");
            }
        }
    }

    [Fact]
    public void Only_the_leaves_inside_the_requested_size_have_to_be_hashes()
    {
        // Given a list whose tail is not (yet) usable
        byte[][] leaves = [.. LeafHashes(Entries(3)), new byte[5]];

        // Then a root over the good prefix is fine, and a root over the bad element is not
        LeafHashTree.Root(leaves, 3).ShouldBe(Mth(Entries(3)));
        Should.Throw<ArgumentException>(() => LeafHashTree.Root(leaves, 4));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData((long)int.MaxValue + 1)]
    public void A_root_of_a_size_outside_the_leaves_is_a_programming_error(long size)
    {
        var leaves = LeafHashes(Entries(4));

        Should.Throw<ArgumentOutOfRangeException>(() => LeafHashTree.Root(leaves, size));
    }

    [Fact]
    public void A_large_tree_roots_the_same_whether_built_at_once_or_streamed()
    {
        // Given a little over 2^15 leaves, hashed from a counter
        const int count = (1 << 15) + 5;
        var leaves = new byte[count][];
        Span<byte> entry = stackalloc byte[sizeof(int)];
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(entry, i).ShouldBeTrue();
            leaves[i] = MerkleTree.LeafHash(entry);
        }

        // When the root is computed recursively and by streaming
        var root = LeafHashTree.Root(leaves);
        var accumulator = new MerkleAccumulator();
        foreach (var leaf in leaves)
        {
            accumulator.Append(leaf);
        }

        // Then both agree, and proofs at the ragged right edge of the tree check against that root
        accumulator.Size.ShouldBe(count);
        accumulator.Root().ShouldBe(root);
        foreach (var index in new long[] { 0, 1 << 15, count - 1 })
        {
            var proof = LeafHashTree.InclusionProof(leaves, index, count);
            proof.Count.ShouldBe(PathShape(index, count).Count);
            MerkleTree.VerifyInclusion(leaves[index], index, count, proof, root).ShouldBeTrue($"leaf {index}");
        }

        foreach (var oldSize in new long[] { 3, count - 2 })
        {
            var proof = LeafHashTree.ConsistencyProof(leaves, oldSize, count);
            proof.Count.ShouldBe(ProofShape(oldSize, count).Count);
            MerkleTree.VerifyConsistency(oldSize, count, LeafHashTree.Root(leaves, oldSize), root, proof)
                .ShouldBeTrue($"from {oldSize}");
        }
    }
}
