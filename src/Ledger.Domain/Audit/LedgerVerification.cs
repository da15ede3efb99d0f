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
}

public sealed record Finding(FindingKind Kind, long Sequence, string Stream, long Version, string Detail);

public sealed record VerificationReport(
    long EventsChecked,
    long FillerRows,
    long Streams,
    LedgerDigest Digest,
    IReadOnlyList<Finding> Findings)
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
    private readonly MerkleAccumulator _tree = new();
    private readonly LedgerDigest? _saved;
    private readonly int _maxFindings;
    private long _events;
    private long _fillers;
    private long _lastSequence;
    private string? _rootAtSavedSize;
    private long _sequenceAtSavedSize;

    /// <param name="saved">A digest saved earlier: the ledger must still contain exactly what it covered.</param>
    /// <param name="maxFindings">Stop collecting after this many findings (the first is what matters).</param>
    public LedgerVerification(LedgerDigest? saved = null, int maxFindings = 100)
    {
        _saved = saved;
        _maxFindings = maxFindings;
        if (saved is { TreeSize: 0 })
        {
            _rootAtSavedSize = Convert.ToHexStringLower(MerkleTree.EmptyRoot);
        }
    }

    public long EventsChecked => _events;

    public void Check(StoredEvent row)
    {
        if (row.IsFiller)
        {
            _fillers++;
            return;
        }

        _events++;
        _lastSequence = row.Sequence;
        var (lastVersion, previous, _) = _streams.TryGetValue(row.Stream, out var link) ? link : (0L, EventHash.Genesis, 0L);

        if (row.Hash is not { Length: 64 } stored)
        {
            Report(FindingKind.Unsealed, row, "the row carries no chain hash");
        }
        else
        {
            var canonical = CanonicalJson.Canonicalize(row.Data);
            var recomputed = EventHash.Compute(previous, row.Stream, row.Version, row.Type, row.Timestamp, canonical);
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
            else if (recomputed != stored)
            {
                Report(FindingKind.Altered, row, "the row's content does not match its hash");
            }

            _tree.Append(MerkleTree.LeafHash(Convert.FromHexString(stored)));
            if (row.Version > lastVersion)
            {
                _streams[row.Stream] = (row.Version, stored, row.Sequence);
            }
        }

        if (_saved is not null && _tree.Size == _saved.TreeSize)
        {
            _rootAtSavedSize = Convert.ToHexStringLower(_tree.Root());
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
        var digest = new LedgerDigest(MerkleTree.Algorithm, _tree.Size, Convert.ToHexStringLower(_tree.Root()), _lastSequence, EventHash.Algorithm, now);
        if (_saved is not null)
        {
            if (_tree.Size < _saved.TreeSize)
            {
                _findings.Add(new Finding(FindingKind.DigestMismatch, _lastSequence, string.Empty, 0,
                    $"the saved digest covers {_saved.TreeSize} events; the ledger now holds {_tree.Size}"));
            }
            else if (_rootAtSavedSize != _saved.RootHash || _sequenceAtSavedSize != _saved.LastSequence)
            {
                _findings.Add(new Finding(FindingKind.DigestMismatch, _sequenceAtSavedSize, string.Empty, 0,
                    $"the first {_saved.TreeSize} events no longer have the saved root {_saved.RootHash} (now {_rootAtSavedSize})"));
            }
        }

        return new VerificationReport(_events, _fillers, _streams.Count, digest, [.. _findings.OrderBy(f => f.Sequence)]);
    }

    private void Report(FindingKind kind, StoredEvent row, string detail)
    {
        if (_findings.Count < _maxFindings)
        {
            _findings.Add(new Finding(kind, row.Sequence, row.Stream, row.Version, detail));
        }
    }
}
