using Ledger.Domain.Audit;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>
/// The ledger's Merkle tree is kept by the async daemon (a subscription storing leaves and perfect
/// subtrees); digests and proofs read it, and verification compares every row with the leaf it recorded.
/// </summary>
public sealed class MerkleTreeKeptByTheDaemon(LedgerFixture fixture) : AuditTest(fixture)
{
    [Fact]
    public async Task the_daemon_stores_a_leaf_per_event_and_the_digest_does_not_change_when_it_catches_up()
    {
        await ReviewAsync(LetterOfIntent);
        var before = await DigestAsync();

        await TreeCaughtUpAsync();
        var after = await DigestAsync();

        after.TreeSize.ShouldBe(53);
        after.RootHash.ShouldBe(before.RootHash);
        after.LastSequence.ShouldBe(before.LastSequence);
        (await ScalarAsync("select count(*) from ledger.merkle_leaves")).ShouldBe(53);
        // 53 leaves = 32 + 16 + 4 + 1: every perfect subtree, 53 + 26 + 13 + 6 + 3 + 1 + 0 nodes
        (await ScalarAsync("select count(*) from ledger.merkle_nodes")).ShouldBe(102);
        var report = await VerifyAsync();
        report.Findings.ShouldBeEmpty();
        report.TreeLeavesCompared.ShouldBe(53);
        report.Digest.RootHash.ShouldBe(after.RootHash);
    }

    [Fact]
    public async Task the_stored_tree_grows_page_by_page_with_the_same_root_as_one_computed_from_every_event()
    {
        for (var round = 0; round < 3; round++)
        {
            await ReviewAsync(LetterOfIntent, round % 2 == 0 ? "delayed" : "on-track");
            await ReviewAsync("GVA-2022-1.1", round % 2 == 0 ? "on-track" : "delayed");
            await TreeCaughtUpAsync();

            var digest = await DigestAsync();
            var recomputed = await VerifyAsync();
            recomputed.Findings.ShouldBeEmpty();
            digest.RootHash.ShouldBe(recomputed.Digest.RootHash, $"round {round}");
            recomputed.TreeLeavesCompared.ShouldBe(recomputed.EventsChecked);
        }
    }

    [Fact]
    public async Task events_moved_across_streams_are_named_at_their_exact_sequences_without_a_saved_digest()
    {
        // Two one-event streams: swapping their places in the global order breaks no stream's chain.
        await TreeCaughtUpAsync();
        var first = await SequenceOfAsync("GVA-2022-2.1", 1);
        var second = await SequenceOfAsync("GVA-2022-3.4", 1);
        await TamperAsync($"update ledger.mt_events set seq_id = -1 where seq_id = {first}; "
                          + $"update ledger.mt_events set seq_id = {first} where seq_id = {second}; "
                          + $"update ledger.mt_events set seq_id = {second} where seq_id = -1");

        var report = await VerifyAsync();

        report.Findings.Count.ShouldBe(2);
        report.First!.Kind.ShouldBe(FindingKind.Reordered);
        report.First.Sequence.ShouldBe(first);
        report.First.Stream.ShouldBe("GVA-2022-3.4");
        report.First.Detail.ShouldContain("GVA-2022-2.1 version 1");
        report.Findings[1].Sequence.ShouldBe(second);
    }

    [Fact]
    public async Task an_altered_node_of_the_stored_tree_is_reported_and_changes_the_digest()
    {
        await TreeCaughtUpAsync();
        var digest = await DigestAsync();
        await TamperAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = 5 and node_index = 0");

        var report = await VerifyAsync();

        report.First!.Kind.ShouldBe(FindingKind.TreeMismatch);
        report.Digest.RootHash.ShouldBe(digest.RootHash); // recomputed from the rows, which are intact
        (await DigestAsync()).RootHash.ShouldNotBe(digest.RootHash);
    }

    [Fact]
    public async Task a_saved_digest_and_the_proofs_hold_across_the_stored_tree_and_the_events_it_has_not_reached()
    {
        await TreeCaughtUpAsync();
        var saved = await DigestAsync();
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync("GVA-2022-1.1");

        // Whether or not the daemon has stored the two new leaves yet, the later tree extends the saved one.
        var later = await DigestAsync();
        var consistency = await Audit.ConsistencyAsync(saved.TreeSize, null, CancellationToken.None);
        consistency!.FromRoot.ShouldBe(saved.RootHash);
        consistency.ToRoot.ShouldBe(later.RootHash);
        MerkleTree.VerifyConsistency(saved.TreeSize, later.TreeSize, Convert.FromHexString(saved.RootHash), Convert.FromHexString(later.RootHash),
            [.. consistency.Proof.Select(Convert.FromHexString)]).ShouldBeTrue();

        await TreeCaughtUpAsync();
        (await DigestAsync()).RootHash.ShouldBe(later.RootHash);
        for (var sequence = 1; sequence <= later.LastSequence; sequence += 7)
        {
            var inclusion = (await Audit.InclusionAsync(sequence, null, CancellationToken.None))!;
            MerkleTree.VerifyInclusion(Convert.FromHexString(inclusion.LeafHash), inclusion.LeafIndex, inclusion.TreeSize,
                [.. inclusion.Proof.Select(Convert.FromHexString)], Convert.FromHexString(later.RootHash)).ShouldBeTrue($"sequence {sequence}");
        }
    }
}
