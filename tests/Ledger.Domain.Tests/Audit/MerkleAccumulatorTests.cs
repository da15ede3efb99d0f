using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>The streaming root: one ordered pass, O(log n) memory, the same root as the whole tree.</summary>
public class MerkleAccumulatorTests
{
    [Fact]
    public void Nothing_appended_is_the_empty_tree()
    {
        var accumulator = new MerkleAccumulator();

        accumulator.Size.ShouldBe(0);
        accumulator.Root().ShouldBe(MerkleTree.EmptyRoot);
    }

    [Fact]
    public void The_certificate_transparency_reference_entries_stream_to_the_published_roots()
    {
        var accumulator = new MerkleAccumulator();
        var leaves = LeafHashes(CtEntries);

        for (var i = 0; i < leaves.Length; i++)
        {
            accumulator.Append(leaves[i]);

            accumulator.Size.ShouldBe(i + 1);
            accumulator.Root().ShouldBe(Mth(CtEntries[..(i + 1)]));
        }

        Hex(accumulator.Root()).ShouldBe("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    }

    [Fact]
    public void Every_prefix_up_to_600_leaves_has_the_root_of_the_whole_tree()
    {
        // Given leaves streamed one at a time, past several powers of two
        var leaves = LeafHashes(Entries(600));
        var accumulator = new MerkleAccumulator();

        for (var n = 1; n <= leaves.Length; n++)
        {
            accumulator.Append(leaves[n - 1]);

            // Then after each, the root is that of the tree of the leaves so far
            accumulator.Size.ShouldBe(n);
            accumulator.Root().ShouldBe(LeafHashTree.Root(leaves, n), $"size {n}");
        }
    }

    [Fact]
    public void Every_prefix_up_to_64_leaves_has_the_root_of_the_naive_reference()
    {
        var entries = Entries(64);
        var accumulator = new MerkleAccumulator();

        for (var n = 1; n <= entries.Length; n++)
        {
            accumulator.Append(MerkleTree.LeafHash(entries[n - 1]));

            accumulator.Root().ShouldBe(Mth(entries[..n]), $"size {n}");
        }
    }

    [Fact]
    public void Asking_for_the_root_changes_nothing()
    {
        // Given two accumulators fed the same leaves, one asked for its root after every append
        var leaves = LeafHashes(Entries(100));
        var watched = new MerkleAccumulator();
        var unwatched = new MerkleAccumulator();

        foreach (var leaf in leaves)
        {
            watched.Append(leaf);
            watched.Root().ShouldBe(watched.Root());
            unwatched.Append(leaf);
        }

        // Then they end in the same state
        watched.Size.ShouldBe(unwatched.Size);
        watched.Root().ShouldBe(unwatched.Root());
        watched.Root().ShouldBe(LeafHashTree.Root(leaves));
    }

    [Fact]
    public void The_accumulator_keeps_its_own_copies()
    {
        // Given a caller that reuses its buffers for the leaf it appended and the root it was handed
        var leaves = LeafHashes(Entries(5));
        var accumulator = new MerkleAccumulator();
        var buffer = new byte[32];
        foreach (var leaf in leaves)
        {
            leaf.CopyTo(buffer, 0);
            accumulator.Append(buffer);
        }

        Array.Clear(buffer);
        accumulator.Root()[0] ^= 0xff;

        // Then the accumulator is untouched
        accumulator.Root().ShouldBe(LeafHashTree.Root(leaves));

        // Including for a single leaf, whose root is the leaf itself
        var single = new MerkleAccumulator();
        single.Append(leaves[0]);
        single.Root()[0] ^= 0xff;
        single.Root().ShouldBe(leaves[0]);
    }

    [Fact]
    public void A_changed_or_reordered_leaf_changes_the_streamed_root()
    {
        var leaves = LeafHashes(Entries(9));
        var root = LeafHashTree.Root(leaves);

        for (var i = 0; i < leaves.Length; i++)
        {
            var accumulator = new MerkleAccumulator();
            for (var j = 0; j < leaves.Length; j++)
            {
                accumulator.Append(j == i ? FlipBit(leaves[j], 255) : leaves[j]);
            }

            accumulator.Root().ShouldNotBe(root, $"leaf {i} changed");
        }

        var swapped = new MerkleAccumulator();
        foreach (var leaf in leaves.Reverse())
        {
            swapped.Append(leaf);
        }

        swapped.Root().ShouldNotBe(root);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_leaf_hash_that_is_not_32_bytes_is_refused_and_leaves_the_accumulator_as_it_was(int length)
    {
        var leaves = LeafHashes(Entries(3));
        var accumulator = new MerkleAccumulator();
        accumulator.Append(leaves[0]);
        accumulator.Append(leaves[1]);

        Should.Throw<ArgumentException>(() => accumulator.Append(new byte[length]));

        accumulator.Size.ShouldBe(2);
        accumulator.Append(leaves[2]);
        accumulator.Root().ShouldBe(LeafHashTree.Root(leaves));
    }
}
