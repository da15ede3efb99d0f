using System.Globalization;

namespace Ledger.Domain.Audit;

public enum FindingKind
{
    /// <summary>The row's content no longer matches its hash: data, type, timestamp or stream changed.</summary>
    Altered,

    /// <summary>Events of the stream are missing before this one.</summary>
    Removed,

    /// <summary>The row comes before an event of its stream that it should follow.</summary>
    Reordered,

    /// <summary>The row does not chain onto its stream: it was put there from outside.</summary>
    Inserted,

    /// <summary>The row has no hash at all.</summary>
    Unsealed,

    /// <summary>The ledger no longer contains exactly what a saved digest covered.</summary>
    DigestMismatch,

    /// <summary>The Merkle tree kept by the async daemon no longer matches the events it was built from.</summary>
    TreeMismatch,
}

/// <summary>A leaf of the Merkle tree the async daemon stored: the chain hash it recorded for a sequence.</summary>
public sealed record TreeLeaf(long Index, long Sequence, string EventHash, string Stream, long Version);

/// <summary>How far the stored Merkle tree reaches and its root there.</summary>
public sealed record StoredTreeHead(long Size, long LastSequence, string RootHash);

public sealed record Finding(FindingKind Kind, long Sequence, string Stream, long Version, string Detail);

public sealed record VerificationReport(
    long EventsChecked,
    long FillerRows,
    long Streams,
    LedgerDigest Digest,
    IReadOnlyList<Finding> Findings,
    long TreeLeavesCompared = 0)
{
    public bool Intact => Findings.Count == 0;

    public Finding? First => Findings.Count == 0 ? null : Findings[0];
}

/// <summary>
/// Recomputes every stream's hash chain and the ledger's Merkle root in one ordered pass over the
/// stored rows, in memory proportional to the number of streams (not events). Names each event
/// whose row was altered, removed, reordered or inserted, first one first.
/// </summary>
public sealed class LedgerVerification
{
    private readonly Dictionary<string, (long Version, string Hash, long Sequence)> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Stream, long Version), int> _missing = [];
    private readonly List<Finding> _findings = [];
    private readonly MerkleAccumulator _accumulator = new();
    private readonly LedgerDigest? _saved;
    private readonly StoredTreeHead? _tree;
    private readonly int _maxFindings;
    private long _leavesCompared;
    private string? _rootAtTreeSize;
    private long _events;
    private long _fillers;
    private long _lastSequence;
    private string? _rootAtSavedSize;
    private long _sequenceAtSavedSize;

    /// <param name="saved">A digest saved earlier: the ledger must still contain exactly what it covered.</param>
    /// <param name="maxFindings">Stop collecting after this many findings (the first is what matters).</param>
    /// <param name="tree">
    /// The Merkle tree the async daemon stored: each row is then also compared with the leaf the tree
    /// recorded for its sequence (<see cref="Check(StoredEvent, TreeLeaf?)"/>), which names an event moved
    /// elsewhere in the global order at its exact sequence even when every stream's chain still holds.
    /// </param>
    public LedgerVerification(LedgerDigest? saved = null, int maxFindings = 100, StoredTreeHead? tree = null)
    {
        _saved = saved;
        _tree = tree;
        _maxFindings = maxFindings;
        if (saved is { TreeSize: 0 })
        {
            _rootAtSavedSize = Convert.ToHexStringLower(MerkleTree.EmptyRoot);
        }
    }

    public long EventsChecked => _events;

    public void Check(StoredEvent row) => Check(row, null);

    /// <summary>
    /// Checks the next stored row in global order against its stream's chain and, when verifying against
    /// a stored tree, against <paramref name="leaf"/>: the leaf that tree recorded for the row's sequence.
    /// </summary>
    public void Check(StoredEvent row, TreeLeaf? leaf)
    {
        if (row.IsFiller)
        {
            _fillers++;
            if (leaf is not null)
            {
                Report(FindingKind.Removed, row, "the ledger's Merkle tree recorded an event at this sequence; the row is now a filler");
            }

            return;
        }

        var before = _findings.Count;
        _events++;
        _lastSequence = row.Sequence;
        var (lastVersion, previous, _) = _streams.TryGetValue(row.Stream, out var link) ? link : (0L, EventHash.Genesis, 0L);

        if (row.Hash is not { Length: 64 } stored)
        {
            Report(FindingKind.Unsealed, row, "the row carries no chain hash");
        }
        else
        {
            if (row.Version <= lastVersion)
            {
                // An earlier gap of this stream was this row, stored out of order: say so where it showed.
                if (_missing.Remove((row.Stream, row.Version), out var gap))
                {
                    _findings[gap] = _findings[gap] with { Kind = FindingKind.Reordered, Detail = _findings[gap].Detail + "; it appears later, out of order" };
                }

                Report(FindingKind.Reordered, row, $"version {row.Version} comes after version {lastVersion} of the same stream");
            }
            else if (row.Version > lastVersion + 1)
            {
                for (var missing = lastVersion + 1; missing < row.Version && _findings.Count < _maxFindings; missing++)
                {
                    _missing[(row.Stream, missing)] = _findings.Count;
                }

                Report(FindingKind.Removed, row, lastVersion + 1 == row.Version - 1
                    ? $"version {lastVersion + 1} of the stream is missing before this event"
                    : $"versions {lastVersion + 1}–{row.Version - 1} of the stream are missing before this event");
            }
            else if (!EventHash.MatchesStoredData(stored, previous, row.Stream, row.Version, row.Type, row.Timestamp, row.Data))
            {
                Report(FindingKind.Altered, row, "the row's content does not match its hash");
            }

            _accumulator.Append(MerkleTree.LeafHash(Convert.FromHexString(stored)));
            if (row.Version > lastVersion)
            {
                _streams[row.Stream] = (row.Version, stored, row.Sequence);
            }
        }

        if (_tree is not null && row.Sequence <= _tree.LastSequence)
        {
            CompareWithTree(row, leaf, alreadyReported: _findings.Count > before);
        }

        if (_tree is not null && _accumulator.Size == _tree.Size)
        {
            _rootAtTreeSize = Convert.ToHexStringLower(_accumulator.Root());
        }

        if (_saved is not null && _accumulator.Size == _saved.TreeSize)
        {
            _rootAtSavedSize = Convert.ToHexStringLower(_accumulator.Root());
            _sequenceAtSavedSize = row.Sequence;
        }
    }

    /// <summary>Checks the streams' recorded versions (from the streams table) against the events seen.</summary>
    public void CheckStreamVersions(IEnumerable<(string Stream, long Version)> streams)
    {
        foreach (var (stream, version) in streams)
        {
            var (seen, _, sequence) = _streams.TryGetValue(stream, out var link) ? link : (0L, string.Empty, 0L);
            if (version > seen)
            {
                _findings.Add(new Finding(FindingKind.Removed, sequence, stream, seen + 1,
                    string.Create(CultureInfo.InvariantCulture, $"the stream is at version {version} but its events stop at version {seen}")));
            }
            else if (version < seen)
            {
                _findings.Add(new Finding(FindingKind.Inserted, sequence, stream, seen,
                    string.Create(CultureInfo.InvariantCulture, $"the stream was written up to version {version}; version {seen} was put there from outside")));
            }
        }
    }

    public VerificationReport Complete(DateTimeOffset now)
    {
        var digest = new LedgerDigest(MerkleTree.Algorithm, _accumulator.Size, Convert.ToHexStringLower(_accumulator.Root()), _lastSequence, EventHash.Algorithm, now);
        if (_saved is not null)
        {
            if (_accumulator.Size < _saved.TreeSize)
            {
                // What is missing: the events after the ledger's last one, up to the saved digest's last one.
                var missing = _saved.TreeSize - _accumulator.Size;
                _findings.Add(new Finding(FindingKind.DigestMismatch, _lastSequence + 1, string.Empty, 0, string.Create(CultureInfo.InvariantCulture,
                    $"{missing} event{(missing == 1 ? " is" : "s are")} missing, from sequence {_lastSequence + 1} on: the saved digest covers {_saved.TreeSize} events up to sequence {_saved.LastSequence}; the ledger holds {_accumulator.Size}, up to sequence {_lastSequence}")));
            }
            else if (_rootAtSavedSize != _saved.RootHash || _sequenceAtSavedSize != _saved.LastSequence)
            {
                _findings.Add(new Finding(FindingKind.DigestMismatch, _sequenceAtSavedSize, string.Empty, 0,
                    $"the first {_saved.TreeSize} events no longer have the saved root {_saved.RootHash} (now {_rootAtSavedSize})"));
            }
        }

        // The stored nodes themselves: with every leaf in place, the stored root must be the recomputed one.
        if (_tree is not null && _findings.Count == 0 && _tree.Size > 0 && _rootAtTreeSize != _tree.RootHash)
        {
            _findings.Add(new Finding(FindingKind.TreeMismatch, _tree.LastSequence, string.Empty, 0, string.Create(CultureInfo.InvariantCulture,
                $"the stored Merkle tree of {_tree.Size} events has root {_tree.RootHash}; its leaves give {_rootAtTreeSize ?? "no tree of that size"}: its nodes were altered (rebuild the ledger-merkle-tree subscription)")));
        }

        return new VerificationReport(_events, _fillers, _streams.Count, digest, [.. _findings.OrderBy(f => f.Sequence)], _leavesCompared);
    }

    /// <summary>A leaf the stored tree recorded at a sequence where the events table has no row any more.</summary>
    public void CheckLeafWithoutRow(TreeLeaf leaf)
    {
        if (_findings.Count < _maxFindings)
        {
            _findings.Add(new Finding(FindingKind.Removed, leaf.Sequence, leaf.Stream, leaf.Version,
                $"the ledger's Merkle tree recorded this event (chain hash {leaf.EventHash}) at this sequence; the events table no longer has it"));
        }
    }

    private void CompareWithTree(StoredEvent row, TreeLeaf? leaf, bool alreadyReported)
    {
        _leavesCompared++;
        if (leaf is null)
        {
            Report(FindingKind.Inserted, row, "the ledger's Merkle tree went past this sequence without this event: the row was put in afterwards");
        }
        else if (!string.Equals(leaf.EventHash, row.Hash ?? EventHash.Genesis, StringComparison.OrdinalIgnoreCase) && !alreadyReported)
        {
            Report(FindingKind.Reordered, row,
                $"the ledger's Merkle tree recorded {leaf.Stream} version {leaf.Version} at this sequence (chain hash {leaf.EventHash}): this event was moved here from elsewhere in the global order");
        }
    }

    private void Report(FindingKind kind, StoredEvent row, string detail)
    {
        if (_findings.Count < _maxFindings)
        {
            _findings.Add(new Finding(kind, row.Sequence, row.Stream, row.Version, detail));
        }
    }
}
