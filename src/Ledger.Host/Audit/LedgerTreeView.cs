using System.Data;
using System.Runtime.CompilerServices;
using Ledger.Domain.Audit;
using Ledger.Projections.Audit;
using Marten;
using Npgsql;

namespace Ledger.Host.Audit;

/// <summary>
/// One consistent look at the ledger's Merkle tree, inside a repeatable-read transaction: the part the
/// async daemon has stored (<see cref="LedgerMerkleTree"/>) and, on top, the events recorded since that
/// the daemon has not reached yet — taken only up to the point where no earlier sequence can still
/// appear (the daemon's high-water mark, or an unbroken run of sequences), exactly the events the daemon
/// will append next, so a digest given now stays a prefix of every later tree. Roots and proofs cost
/// O(log n) stored nodes plus the events the daemon is behind by.
/// </summary>
public sealed class LedgerTreeView : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _schema;
    private readonly List<long> _tailSequences = [];
    private readonly Dictionary<MerkleNode, byte[]> _tailNodes = [];
    private bool _tailLoaded;
    private long _lastSequence;

    private LedgerTreeView(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema)
    {
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
    }

    /// <summary>Leaves the daemon has stored (the first <see cref="StoredSize"/> of the tree).</summary>
    public long StoredSize { get; private set; }

    /// <summary>Leaves in the tree: stored ones and the events recorded since.</summary>
    public long Size => RequireTail().StoredSize + _tailSequences.Count;

    /// <summary>The sequence of the tree's last leaf; 0 for the empty tree.</summary>
    public long LastSequence
    {
        get => RequireTail()._lastSequence;
        private set => _lastSequence = value;
    }

    /// <summary>The sequence of the last leaf the daemon stored; 0 when it has stored none.</summary>
    public long StoredLastSequence { get; private set; }

    /// <summary>Whether the stored tree was set aside because its last leaf is not the event stored at that sequence (the store was reset under it).</summary>
    public bool StoredTreeStale { get; private set; }

    public static Task<LedgerTreeView> OpenAsync(IDocumentStore store, CancellationToken ct) => OpenAsync(store, withTail: true, ct);

    /// <summary>
    /// A view of the stored tree alone (<see cref="StoredSize"/>, <see cref="StoredLastSequence"/>, the stored nodes and
    /// <see cref="ScanAsync"/>), without the events recorded since: what verification needs, which recomputes every leaf
    /// itself. Reading and hashing the daemon's backlog is then left out, and <see cref="Size"/>, <see cref="LastSequence"/>
    /// and what depends on them refuse to answer.
    /// </summary>
    public static Task<LedgerTreeView> OpenStoredAsync(IDocumentStore store, CancellationToken ct) => OpenAsync(store, withTail: false, ct);

    private static async Task<LedgerTreeView> OpenAsync(IDocumentStore store, bool withTail, CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var view = new LedgerTreeView(connection, transaction, store.Options.Events.DatabaseSchemaName);
            await view.LoadStoredAsync(ct);
            if (withTail)
            {
                await view.LoadTailAsync(ct);
            }

            return view;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// This view's snapshot, exported (<c>pg_export_snapshot</c>) so that another session (<c>pg_dump --snapshot</c>) sees
    /// exactly what this view sees, for as long as this view stays open.
    /// </summary>
    public async Task<string> ExportSnapshotAsync(CancellationToken ct)
    {
        await using var command = Command("select pg_export_snapshot()");
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The root of the tree of the first <paramref name="size"/> leaves.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken ct) =>
        size == 0 ? MerkleTree.EmptyRoot : (await HashesAsync([new MerkleRange(0, size)], ct))[0];

    /// <summary>The Merkle Tree Hash of each range, from stored nodes read in one statement.</summary>
    public async Task<IReadOnlyList<byte[]>> HashesAsync(IReadOnlyList<MerkleRange> ranges, CancellationToken ct)
    {
        var wanted = ranges.SelectMany(MerkleTree.PerfectSubtrees).Distinct().ToList();
        if (wanted.Any(n => n.CompleteAt > (_tailLoaded ? Size : StoredSize)))
        {
            throw new ArgumentOutOfRangeException(nameof(ranges), "A range reaches past the tree.");
        }

        var stored = await LedgerMerkleTree.ReadNodesAsync(_connection, _schema, [.. wanted.Where(n => n.CompleteAt <= StoredSize)], ct);
        byte[] Node(MerkleNode n) => n.CompleteAt <= StoredSize ? stored[n] : _tailNodes[n];
        return [.. ranges.Select(r => MerkleTree.RangeHash(r, Node))];
    }

    /// <summary>
    /// The consistency proof between each pair of tree sizes (0 &lt; from ≤ to ≤ <see cref="Size"/>), with the roots this
    /// tree has at both sizes, from stored nodes read in one statement.
    /// </summary>
    public async Task<IReadOnlyList<ConsistencyProof>> ConsistencyProofsAsync(IReadOnlyList<(long From, long To)> pairs, CancellationToken ct)
    {
        var ranges = new List<MerkleRange>();
        var shapes = new List<int>(pairs.Count);
        foreach (var (from, to) in pairs)
        {
            var path = MerkleTree.ConsistencyRanges(from, to);
            ranges.AddRange([new MerkleRange(0, from), new MerkleRange(0, to), .. path]);
            shapes.Add(path.Count);
        }

        var hashes = await HashesAsync(ranges, ct);
        var proofs = new List<ConsistencyProof>(pairs.Count);
        var at = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            proofs.Add(new ConsistencyProof(pairs[i].From, pairs[i].To,
                Convert.ToHexStringLower(hashes[at]),
                Convert.ToHexStringLower(hashes[at + 1]),
                [.. hashes.Skip(at + 2).Take(shapes[i]).Select(Convert.ToHexStringLower)]));
            at += 2 + shapes[i];
        }

        return proofs;
    }

    /// <summary>The leaf index of the event at <paramref name="sequence"/>; null when the tree holds no such event.</summary>
    public async Task<long?> LeafIndexAsync(long sequence, CancellationToken ct)
    {
        if (sequence > RequireTail().StoredLastSequence)
        {
            var tail = _tailSequences.BinarySearch(sequence);
            return tail < 0 ? null : StoredSize + tail;
        }

        await using var command = Command($"select leaf_index from {_schema}.{LedgerMerkleTree.LeavesTable} where seq_id = @seq");
        command.Parameters.AddWithValue("seq", sequence);
        return await command.ExecuteScalarAsync(ct) is long index ? index : null;
    }

    /// <summary>What the stored tree covers and its root there; null when it is empty or set aside as stale.</summary>
    public async Task<StoredTreeHead?> StoredHeadAsync(CancellationToken ct) =>
        StoredSize == 0 ? null : new StoredTreeHead(StoredSize, StoredLastSequence, Convert.ToHexStringLower(await RootAsync(StoredSize, ct)));

    /// <summary>
    /// Every stored row in global order next to the leaf the stored tree recorded for its sequence (either
    /// may be missing), in the same snapshot as the tree: what verification reads. One ordered merge join
    /// of the events with the leaves, in the events' own order (no sort); leaves whose row is gone — only
    /// ever there after tampering — are found first by an anti-join and put in their places.
    /// </summary>
    public async IAsyncEnumerable<(StoredEvent? Row, TreeLeaf? Leaf)> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var orphans = new Queue<TreeLeaf>();
        await using (var missing = Command(
            $"""
             select l.leaf_index, l.seq_id, l.event_hash, l.stream_id, l.version
             from {_schema}.{LedgerMerkleTree.LeavesTable} l
             where l.leaf_index < @stored and not exists (select 1 from {_schema}.mt_events e where e.seq_id = l.seq_id)
             order by l.seq_id
             """))
        {
            missing.Parameters.AddWithValue("stored", StoredSize);
            await using var reader = await missing.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                orphans.Enqueue(LeafAt(reader, 0));
            }
        }

        await using var command = Command(
            $"""
             select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, e.headers ->> '{EventSealing.HashHeader}',
                    l.leaf_index, l.seq_id, l.event_hash, l.stream_id, l.version
             from {_schema}.mt_events e
             left join {_schema}.{LedgerMerkleTree.LeavesTable} l on l.seq_id = e.seq_id and l.leaf_index < @stored
             order by e.seq_id
             """);
        command.Parameters.AddWithValue("stored", StoredSize);
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var row = RawEvents.StoredEventAt(reader);
                while (orphans.Count > 0 && orphans.Peek().Sequence < row.Sequence)
                {
                    yield return (null, orphans.Dequeue());
                }

                yield return (row, reader.IsDBNull(7) ? null : LeafAt(reader, 7));
            }
        }

        while (orphans.Count > 0)
        {
            yield return (null, orphans.Dequeue());
        }
    }

    private static TreeLeaf LeafAt(NpgsqlDataReader reader, int first) => new(
        reader.GetInt64(first),
        reader.GetInt64(first + 1),
        Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(first + 2)),
        reader.GetString(first + 3),
        reader.GetInt64(first + 4));

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task LoadStoredAsync(CancellationToken ct)
    {
        // The stored tree's end, checked against the event stored at its last sequence.
        await using (var head = Command(
            $"""
             select l.leaf_index + 1, l.seq_id, l.event_hash, e.headers ->> '{EventSealing.HashHeader}', e.seq_id is not null
             from {_schema}.{LedgerMerkleTree.LeavesTable} l
             left join {_schema}.mt_events e on e.seq_id = l.seq_id
             order by l.leaf_index desc limit 1
             """))
        await using (var reader = await head.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                var matches = reader.GetBoolean(4)
                              && reader.GetFieldValue<byte[]>(2).AsSpan().SequenceEqual(LedgerMerkleTree.EntryOf(reader.IsDBNull(3) ? null : reader.GetString(3)));
                (StoredSize, StoredLastSequence, StoredTreeStale) = matches ? (reader.GetInt64(0), reader.GetInt64(1), false) : (0, 0, true);
            }
        }

        LastSequence = StoredLastSequence;
    }

    private async Task LoadTailAsync(CancellationToken ct)
    {
        _tailLoaded = true;
        var frontier = MerkleAccumulator.Frontier(StoredSize);
        var hashes = await LedgerMerkleTree.ReadNodesAsync(_connection, _schema, frontier, ct);
        var tree = new MerkleAccumulator(StoredSize, [.. frontier.Select(n => hashes[n])]);

        // The events since, up to where the daemon will certainly find them in this order.
        await using var tail = Command(
            $"""
             select e.seq_id, e.type, e.headers ->> '{EventSealing.HashHeader}',
                    coalesce((select last_seq_id from {_schema}.mt_event_progression where name = 'HighWaterMark'), 0)
             from {_schema}.mt_events e where e.seq_id > @after order by e.seq_id
             """);
        tail.Parameters.AddWithValue("after", StoredLastSequence);
        await using var rows = await tail.ExecuteReaderAsync(ct);
        var completed = new List<(MerkleNode Node, byte[] Hash)>();
        var previous = StoredLastSequence;
        while (await rows.ReadAsync(ct))
        {
            var sequence = rows.GetInt64(0);
            if (sequence > rows.GetInt64(3) && sequence != previous + 1)
            {
                break; // an earlier sequence may still be committed: stop before the gap
            }

            previous = sequence;
            if (rows.GetString(1) == LedgerMerkleTree.FillerType)
            {
                continue;
            }

            tree.Append(MerkleTree.LeafHash(LedgerMerkleTree.EntryOf(rows.IsDBNull(2) ? null : rows.GetString(2))), completed);
            _tailSequences.Add(sequence);
            LastSequence = sequence;
        }

        foreach (var (node, hash) in completed)
        {
            _tailNodes[node] = hash;
        }
    }

    private LedgerTreeView RequireTail() => _tailLoaded
        ? this
        : throw new InvalidOperationException("This view was opened on the stored tree alone (OpenStoredAsync): it does not know the events recorded since.");

    /// <summary>A statement in this view's snapshot, for what must be read as of the same instant as the tree (the signed heads).</summary>
    public NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);
}
