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
    DateTimeOffset CreatedAt);
