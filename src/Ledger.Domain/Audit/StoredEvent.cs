namespace Ledger.Domain.Audit;

/// <summary>An event exactly as the events table holds it: what verification reads, never a deserialized object.</summary>
public sealed record StoredEvent(
    long Sequence,
    string Stream,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    string Data,
    string? Hash)
{
    /// <summary>Filler rows the event store writes over sequence numbers of failed transactions; they are not ledger facts.</summary>
    public bool IsFiller => Type == "tombstone";
}

/// <summary>
/// What an auditor saves: the size and root of the ledger's Merkle tree (RFC 6962, leaves = the
/// events' chain hashes in global order), and the last sequence it covers.
/// </summary>
public sealed record LedgerDigest(
    string Algorithm,
    long TreeSize,
    string RootHash,
    long LastSequence,
    string ChainAlgorithm,
    DateTimeOffset CreatedAt)
{
    /// <summary>Why this cannot be a digest the ledger handed out (fields named under <paramref name="field"/>); empty when it can.</summary>
    public IReadOnlyList<Common.Refusal> Refusals(string field = "digest")
    {
        var v = new Common.Validation()
            .Require(Algorithm == MerkleTree.Algorithm, $"{field}.algorithm", $"must be {MerkleTree.Algorithm}")
            .Require(ChainAlgorithm == EventHash.Algorithm, $"{field}.chainAlgorithm", $"must be {EventHash.Algorithm}")
            .Require(TreeSize >= 0, $"{field}.treeSize", "must be 0 or more")
            .Require(LastSequence >= 0, $"{field}.lastSequence", "must be 0 or more")
            .Require(RootHash is { Length: 64 } && RootHash.All(char.IsAsciiHexDigitLower), $"{field}.rootHash", "must be 64 lowercase hex digits");
        return v.Refusals;
    }
}
