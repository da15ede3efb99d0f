using Ledger.Domain.Audit;
using Shouldly;
using Xunit;
using static Ledger.Domain.Tests.Audit.MerkleReference;

namespace Ledger.Domain.Tests.Audit;

/// <summary>Offline checks of the ledger's proofs against a saved digest: the saved size and root are the anchor.</summary>
public class LedgerProofsTests
{
    // Like the ledger's entries: 32-byte chain hashes.
    private static readonly byte[][] Entries = [.. MerkleReference.Entries(40).Select(e => System.Security.Cryptography.SHA256.HashData(e))];
    private static readonly byte[][] Leaves = LeafHashes(Entries);

    [Fact]
    public void A_genuine_consistency_proof_from_the_saved_digest_holds()
    {
        var verdict = LedgerProofs.CheckConsistency(Digest(25), Consistency(25, 40));

        verdict.Holds.ShouldBeTrue(verdict.Explanation);
        verdict.Explanation.ShouldContain("extends the saved tree of 25 events");
    }

    [Fact]
    public void A_consistency_proof_from_another_size_is_refused_with_what_to_ask_for()
    {
        var verdict = LedgerProofs.CheckConsistency(Digest(25), Consistency(24, 40));

        verdict.Holds.ShouldBeFalse();
        verdict.Explanation.ShouldContain("Ask for a proof from 25");
    }

    [Fact]
    public void A_saved_tree_that_was_rewritten_is_not_extended()
    {
        // The ledger now holds another 25th event: its tree no longer extends what was saved.
        var rewritten = Leaves.ToArray();
        rewritten[24] = MerkleTree.LeafHash([9, 9, 9]);
        var proof = new ConsistencyProof(25, 40, Hex(LeafHashTree.Root(rewritten, 25)), Hex(LeafHashTree.Root(rewritten, 40)),
            [.. LeafHashTree.ConsistencyProof(rewritten, 25, 40).Select(Hex)]);

        LedgerProofs.CheckConsistency(Digest(25), proof).Holds.ShouldBeFalse();
    }

    [Fact]
    public void Truncated_extended_or_malformed_consistency_proofs_are_refused()
    {
        var genuine = Consistency(25, 40);

        LedgerProofs.CheckConsistency(Digest(25), genuine with { Proof = genuine.Proof.Take(genuine.Proof.Count - 1).ToList() }).Holds.ShouldBeFalse();
        LedgerProofs.CheckConsistency(Digest(25), genuine with { Proof = [.. genuine.Proof, genuine.Proof[0]] }).Holds.ShouldBeFalse();
        LedgerProofs.CheckConsistency(Digest(25), genuine with { Proof = ["not hex"] }).Holds.ShouldBeFalse();
        LedgerProofs.CheckConsistency(Digest(25), genuine with { ToRoot = Hex(LeafHashTree.Root(Leaves, 39)) }).Holds.ShouldBeFalse();
    }

    [Fact]
    public void A_genuine_inclusion_proof_holds_and_can_be_tied_to_the_event_hash()
    {
        var proof = Inclusion(17, 40);

        LedgerProofs.CheckInclusion(Digest(40), proof).Holds.ShouldBeTrue();
        LedgerProofs.CheckInclusion(Digest(40), proof, Hex(Entries[17])).Holds.ShouldBeTrue();
    }

    [Fact]
    public void An_inclusion_proof_for_another_event_tree_or_index_is_refused()
    {
        var proof = Inclusion(17, 40);

        LedgerProofs.CheckInclusion(Digest(40), proof, Hex(Entries[18])).Explanation.ShouldContain("another event");
        LedgerProofs.CheckInclusion(Digest(39), proof).Holds.ShouldBeFalse();
        LedgerProofs.CheckInclusion(Digest(40), proof with { LeafIndex = 16 }).Holds.ShouldBeFalse();
        LedgerProofs.CheckInclusion(Digest(40), proof with { Proof = proof.Proof.Skip(1).ToList() }).Holds.ShouldBeFalse();
        LedgerProofs.CheckInclusion(Digest(40), proof with { LeafHash = Hex(Leaves[18]) }).Holds.ShouldBeFalse();
    }

    private static LedgerDigest Digest(int size) => new(MerkleTree.Algorithm, size, Hex(LeafHashTree.Root(Leaves, size)), size, EventHash.Algorithm, DateTimeOffset.UnixEpoch);

    private static ConsistencyProof Consistency(int from, int to) => new(from, to, Hex(LeafHashTree.Root(Leaves, from)), Hex(LeafHashTree.Root(Leaves, to)),
        [.. LeafHashTree.ConsistencyProof(Leaves, from, to).Select(Hex)]);

    private static InclusionProof Inclusion(int index, int size) => new(index + 1, index, size, Hex(Leaves[index]),
        [.. LeafHashTree.InclusionProof(Leaves, index, size).Select(Hex)], Hex(LeafHashTree.Root(Leaves, size)));
}
