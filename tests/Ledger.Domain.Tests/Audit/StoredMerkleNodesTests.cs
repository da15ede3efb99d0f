using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// A tree kept as its perfect subtrees (what the async daemon stores, page by page) answers roots and
/// proofs from O(log n) of them, equal to the tree computed from every leaf.
/// </summary>
public class StoredMerkleNodesTests
{
    [Fact]
    public void Appending_completes_every_perfect_subtree_once()
    {
        var leaves = LeafHashes(Entries(13));
        var nodes = Store(leaves, 0, leaves.Length);

        // 13 leaves: 13 + 6 + 3 + 1 perfect subtrees of levels 0–3
        nodes.Count.ShouldBe(23);
        nodes.Keys.GroupBy(n => n.Level).Select(g => g.Count()).ShouldBe([13, 6, 3, 1]);
        nodes[new MerkleNode(3, 0)].ShouldBe(LeafHashTree.Root(leaves, 8));
        nodes[new MerkleNode(1, 5)].ShouldBe(MerkleTree.NodeHash(leaves[10], leaves[11]));
    }

    [Fact]
    public void A_tree_resumed_from_its_frontier_goes_on_as_if_never_stopped()
    {
        var leaves = LeafHashes(Entries(300));
        var continuous = Store(leaves, 0, leaves.Length);

        // Given pages of uneven sizes, each resumed from the nodes stored so far
        var paged = new Dictionary<MerkleNode, byte[]>();
        var size = 0;
        foreach (var page in new[] { 1, 2, 5, 64, 100, 3, 125 })
        {
            var frontier = MerkleAccumulator.Frontier(size).Select(n => paged[n]).ToList();
            var accumulator = new MerkleAccumulator(size, frontier);
            var completed = new List<(MerkleNode Node, byte[] Hash)>();
            for (var i = size; i < size + page; i++)
            {
                accumulator.Append(leaves[i], completed);
            }

            completed.ForEach(c => paged.Add(c.Node, c.Hash));
            size += page;
            accumulator.Root().ShouldBe(LeafHashTree.Root(leaves, size), $"size {size}");
        }

        // Then it stored exactly the nodes of one continuous pass
        paged.Count.ShouldBe(continuous.Count);
        paged.ShouldAllBe(p => continuous[p.Key].SequenceEqual(p.Value));
    }

    [Fact]
    public void The_root_of_every_size_comes_from_its_frontier_nodes()
    {
        var leaves = LeafHashes(Entries(130));
        var nodes = Store(leaves, 0, leaves.Length);

        for (var size = 1; size <= leaves.Length; size++)
        {
            MerkleTree.RangeHash(new MerkleRange(0, size), n => nodes[n]).ShouldBe(Mth(Entries(130)[..size]), $"size {size}");
        }
    }

    [Fact]
    public void Inclusion_proofs_from_stored_nodes_equal_those_from_the_leaves()
    {
        var leaves = LeafHashes(Entries(70));
        var nodes = Store(leaves, 0, leaves.Length);

        for (var size = 1; size <= leaves.Length; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var fromNodes = MerkleTree.InclusionRanges(index, size).Select(r => MerkleTree.RangeHash(r, n => nodes[n])).ToList();

                fromNodes.ShouldBe(LeafHashTree.InclusionProof(leaves, index, size), $"leaf {index} of {size}");
            }
        }
    }

    [Fact]
    public void Consistency_proofs_from_stored_nodes_equal_those_from_the_leaves()
    {
        var leaves = LeafHashes(Entries(70));
        var nodes = Store(leaves, 0, leaves.Length);

        for (var newSize = 1; newSize <= leaves.Length; newSize++)
        {
            for (var oldSize = 0; oldSize <= newSize; oldSize++)
            {
                var fromNodes = MerkleTree.ConsistencyRanges(oldSize, newSize).Select(r => MerkleTree.RangeHash(r, n => nodes[n])).ToList();

                fromNodes.ShouldBe(LeafHashTree.ConsistencyProof(leaves, oldSize, newSize), $"{oldSize} → {newSize}");
            }
        }
    }

    [Fact]
    public void Proofs_of_a_large_tree_need_only_logarithmically_many_nodes()
    {
        var ranges = MerkleTree.InclusionRanges(123_456_789, 1_000_000_007)
            .Concat(MerkleTree.ConsistencyRanges(999_999_000, 1_000_000_007));

        var nodes = ranges.SelectMany(MerkleTree.PerfectSubtrees).Distinct().Count();

        nodes.ShouldBeLessThan(200);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 5)]
    [InlineData(-1, 1)]
    [InlineData(0, 0)]
    public void A_range_no_tree_recursion_produces_is_refused(long start, long count)
    {
        new MerkleRange(start, count).IsTreeRange.ShouldBeFalse();
        Should.Throw<ArgumentException>(() => MerkleTree.PerfectSubtrees(new MerkleRange(start, count)));
    }

    [Fact]
    public void Resuming_from_a_frontier_of_the_wrong_shape_is_refused()
    {
        var leaves = LeafHashes(Entries(3));

        Should.Throw<ArgumentException>(() => new MerkleAccumulator(3, [leaves[0]]));
        Should.Throw<ArgumentException>(() => new MerkleAccumulator(2, [new byte[31]]));
    }

    private static Dictionary<MerkleNode, byte[]> Store(byte[][] leaves, int from, int to)
    {
        var accumulator = new MerkleAccumulator();
        var completed = new List<(MerkleNode Node, byte[] Hash)>();
        for (var i = from; i < to; i++)
        {
            accumulator.Append(leaves[i], completed);
        }

        return completed.ToDictionary(c => c.Node, c => c.Hash);
    }
}
