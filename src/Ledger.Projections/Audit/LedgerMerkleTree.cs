using System.Globalization;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Ledger.Domain.Audit;
using Marten;
using Marten.Subscriptions;
using Npgsql;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>
/// The ledger-wide Merkle tree (RFC 6962, <see cref="MerkleTree"/>) over every event's chain hash in
/// global order, kept up to date by Marten's async daemon as a subscription: for each page of events it
/// stores the new leaves (<c>merkle_leaves</c>: leaf index, sequence, chain hash, and the stream and version it recorded there) and every perfect subtree
/// they complete (<c>merkle_nodes</c>: level, index, hash), in the same transaction as the subscription's
/// progress. Digests and proofs then read O(log n) stored nodes instead of every event, and verification
/// compares each stored row with the leaf the tree recorded for its sequence, so an event moved to
/// another place in the global order is named at its exact sequence.
/// </summary>
/// <remarks>
/// Each page resumes from the nodes stored for the events up to the page's floor (the tree's frontier,
/// one node per set bit of its size). The tables are append-only to the ledger's runtime role: a replayed page or
/// a rewound subscription finds its rows already stored, which must be exactly the ones it gives (else it stops,
/// naming the row), and adds only what is missing. Forgetting the tree is the owner's step (<c>tree-rewind</c>).
/// Filler rows (<c>tombstone</c>) are not ledger events and get no leaf, as in verification.
/// </remarks>
public sealed class LedgerMerkleTree : SubscriptionBase
{
    public const string SubscriptionName = "ledger-merkle-tree";
    public const string LeavesTable = "merkle_leaves";
    public const string NodesTable = "merkle_nodes";
    public const string FillerType = "tombstone";

    /// <summary>Events per page: each page costs two statements however large it is.</summary>
    public const int BatchSize = 2000;

    public LedgerMerkleTree()
    {
        Name = SubscriptionName;
        Options.BatchSize = BatchSize;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        await AppendAsync(page.Events, page.SequenceFloor, page.SequenceCeiling, operations, cancellationToken);
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// Queues on <paramref name="operations"/> the leaves and nodes of a page (<paramref name="events"/>, the events
    /// after sequence <paramref name="floor"/> up to <paramref name="ceiling"/>) that the stored tree does not have
    /// yet, to commit with them; throws, naming the row, when a stored row differs from what the events give.
    /// </summary>
    public static async Task AppendAsync(
        IReadOnlyList<IEvent> events, long floor, long ceiling, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var schema = operations.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var connection = operations.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        var resumed = await ResumeAsync(connection, schema, floor, cancellationToken);
        var tree = resumed.Tree;
        var first = tree.Size;
        var leaves = new List<Leaf>(events.Count);
        var completed = new List<(MerkleNode Node, byte[] Hash)>(2 * events.Count);
        foreach (var e in events)
        {
            if (e.EventTypeName == FillerType)
            {
                continue;
            }

            var entry = ChainHashOf(e);
            leaves.Add(new Leaf(tree.Size, e.Sequence, entry, e.StreamKey ?? string.Empty, e.Version));
            tree.Append(MerkleTree.LeafHash(entry), completed);
        }

        if (resumed.StoredBeyondFloor)
        {
            // A replayed page or a rewound subscription: the rows already stored must be exactly the ones this page
            // gives (the tree is append-only to the ledger's role); only what is missing is added.
            (leaves, completed) = await KeepUnstoredAsync(connection, schema, first, ceiling, leaves, completed, cancellationToken);
        }

        if (leaves.Count > 0)
        {
            operations.QueueSqlCommand(
                $"insert into {schema}.{LeavesTable} (leaf_index, seq_id, event_hash, stream_id, version) "
                + "select * from unnest(?::bigint[], ?::bigint[], ?::bytea[], ?::text[], ?::bigint[])",
                leaves.Select(l => l.Index).ToArray(), leaves.Select(l => l.Sequence).ToArray(), leaves.Select(l => l.Entry).ToArray(),
                leaves.Select(l => l.Stream).ToArray(), leaves.Select(l => l.Version).ToArray());
        }

        if (completed.Count > 0)
        {
            operations.QueueSqlCommand(
                $"insert into {schema}.{NodesTable} (level, node_index, hash) select * from unnest(?::int[], ?::bigint[], ?::bytea[])",
                completed.Select(c => c.Node.Level).ToArray(), completed.Select(c => c.Node.Index).ToArray(), completed.Select(c => c.Hash).ToArray());
        }
    }

    /// <summary>A leaf as stored in <c>merkle_leaves</c>.</summary>
    private sealed record Leaf(long Index, long Sequence, byte[] Entry, string Stream, long Version)
    {
        public bool SameAs(Leaf other) =>
            Index == other.Index && Sequence == other.Sequence && Entry.AsSpan().SequenceEqual(other.Entry)
            && Stream == other.Stream && Version == other.Version;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"leaf {Index}: sequence {Sequence}, {Stream} v{Version}, hash {Convert.ToHexStringLower(Entry)}");
    }

    /// <summary>
    /// Compares a page with the rows already stored from <paramref name="first"/> on and returns what is not stored
    /// yet. Any stored row that differs from what the events give stops the subscription, naming the row: the tree is
    /// rewound only by the owner (the <c>tree-rewind</c> verb), never rewritten here.
    /// </summary>
    private static async Task<(List<Leaf> Leaves, List<(MerkleNode Node, byte[] Hash)> Nodes)> KeepUnstoredAsync(
        NpgsqlConnection connection, string schema, long first, long ceiling, List<Leaf> leaves,
        List<(MerkleNode Node, byte[] Hash)> nodes, CancellationToken ct)
    {
        var stored = new Dictionary<long, Leaf>();
        await using (var command = new NpgsqlCommand(
                         $"select leaf_index, seq_id, event_hash, stream_id, version from {schema}.{LeavesTable} "
                         + "where leaf_index >= @first and (leaf_index < @end or seq_id <= @ceiling)", connection))
        {
            command.Parameters.AddWithValue("first", first);
            command.Parameters.AddWithValue("end", first + leaves.Count);
            command.Parameters.AddWithValue("ceiling", ceiling);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var leaf = new Leaf(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetString(3), reader.GetInt64(4));
                stored[leaf.Index] = leaf;
            }
        }

        var unstored = new List<Leaf>(leaves.Count);
        foreach (var leaf in leaves)
        {
            if (!stored.Remove(leaf.Index, out var row))
            {
                unstored.Add(leaf);
            }
            else if (!row.SameAs(leaf))
            {
                throw Mismatch($"the stored {row} differs from the one the events give ({leaf})");
            }
        }

        if (stored.Count > 0)
        {
            throw Mismatch($"the stored {stored.Values.MinBy(l => l.Index)} has no event at or below sequence {ceiling.ToString(CultureInfo.InvariantCulture)}");
        }

        var storedNodes = await ReadNodesAsync(connection, schema, nodes.Select(n => n.Node).ToList(), required: false, ct);
        foreach (var (node, hash) in nodes)
        {
            if (storedNodes.TryGetValue(node, out var row) && !row.AsSpan().SequenceEqual(hash))
            {
                throw Mismatch(string.Create(CultureInfo.InvariantCulture,
                    $"the stored node at level {node.Level}, index {node.Index} is {Convert.ToHexStringLower(row)}, the events give {Convert.ToHexStringLower(hash)}"));
            }
        }

        return (unstored, [.. nodes.Where(n => !storedNodes.ContainsKey(n.Node))]);
    }

    private static InvalidOperationException Mismatch(string detail) => new(
        $"The stored Merkle tree does not match the ledger's events: {detail}. The ledger's role never rewrites the tree: "
        + $"stop every host, rewind it as the owner (the tree-rewind verb), start the hosts, then verify.");

    /// <summary>The chain hash an event was sealed with; 32 zero bytes for a row that carries none (verification names it).</summary>
    public static byte[] ChainHashOf(IEvent e) =>
        EntryOf(e.Headers is { } headers && headers.TryGetValue(EventSealing.HashHeader, out var value) ? value?.ToString() : null);

    /// <summary>The hex chain hash of a stored row as a 32-byte entry; 32 zero bytes when it has none.</summary>
    public static byte[] EntryOf(string? hash) =>
        hash is { Length: 64 } && IsHex(hash) ? Convert.FromHexString(hash) : new byte[MerkleTree.HashLength];

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigit);

    /// <summary>
    /// The tree as stored for the events up to <paramref name="floor"/>, ready to append to. Refuses to go on
    /// when the stored tree falls short of the last ledger event at or below the floor: appending then
    /// would leave a hole in the tree.
    /// </summary>
    /// <remarks>
    /// Each subquery reads one end of an index, whatever plan the server picks: the statement is prepared, and a
    /// generic plan turned an <c>exists (… where seq_id &gt; @floor)</c> into a scan of every leaf on every batch.
    /// </remarks>
    private static async Task<(MerkleAccumulator Tree, bool StoredBeyondFloor)> ResumeAsync(
        NpgsqlConnection connection, string schema, long floor, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
             select (select coalesce(max(leaf_index) + 1, 0) from {schema}.{LeavesTable} where seq_id <= @floor),
                    (select coalesce(max(seq_id), 0) from {schema}.{LeavesTable} where seq_id <= @floor),
                    (select coalesce(max(seq_id), 0) from {schema}.mt_events where seq_id <= @floor and type <> '{FillerType}'),
                    coalesce((select max(seq_id) from {schema}.{LeavesTable}), 0) > @floor
             """, connection);
        command.Parameters.AddWithValue("floor", floor);
        long size, storedSequence, lastEvent;
        bool beyond;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (size, storedSequence, lastEvent, beyond) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3));
        }

        // Events at or below the floor that the tree does not reach would be a hole in it: stop loudly.
        // (The opposite, a stored leaf whose row is gone, is tampering with the events; verify names it.)
        if (storedSequence < lastEvent)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The stored Merkle tree ends at sequence {storedSequence}, but the ledger's last event at or below {floor} is {lastEvent}: rebuild the {SubscriptionName} subscription."));
        }

        var frontier = MerkleAccumulator.Frontier(size);
        var hashes = await ReadNodesAsync(connection, schema, frontier, ct);
        return (new MerkleAccumulator(size, [.. frontier.Select(n => hashes[n])]), beyond);
    }

    /// <summary>Reads stored nodes in one statement; throws when one is missing (the tree is incomplete).</summary>
    public static Task<IReadOnlyDictionary<MerkleNode, byte[]>> ReadNodesAsync(
        NpgsqlConnection connection, string schema, IReadOnlyCollection<MerkleNode> nodes, CancellationToken ct) =>
        ReadNodesAsync(connection, schema, nodes, required: true, ct);

    private static async Task<IReadOnlyDictionary<MerkleNode, byte[]>> ReadNodesAsync(
        NpgsqlConnection connection, string schema, IReadOnlyCollection<MerkleNode> nodes, bool required, CancellationToken ct)
    {
        var found = new Dictionary<MerkleNode, byte[]>(nodes.Count);
        if (nodes.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(
            $"select n.level, n.node_index, n.hash from {schema}.{NodesTable} n "
            + "join unnest(@levels, @indexes) as wanted(level, node_index) using (level, node_index)", connection);
        command.Parameters.AddWithValue("levels", nodes.Select(n => n.Level).ToArray());
        command.Parameters.AddWithValue("indexes", nodes.Select(n => n.Index).ToArray());
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                found[new MerkleNode(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
            }
        }

        var missing = nodes.FirstOrDefault(n => !found.ContainsKey(n));
        return !required || missing == default || found.Count == nodes.Count
            ? found
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The stored Merkle tree has no node at level {missing.Level}, index {missing.Index}: rebuild the {SubscriptionName} subscription."));
    }
}

/// <summary>The Merkle tree's two tables, created with the rest of the schema.</summary>
public sealed class LedgerMerkleTreeTables(StoreOptions options) : FeatureSchemaBase("LedgerMerkleTree", options.Advanced.Migrator)
{
    public override Type StorageType => typeof(LedgerMerkleTree);

    protected override IEnumerable<Weasel.Core.ISchemaObject> schemaObjects()
    {
        var schema = options.Events.DatabaseSchemaName;

        var leaves = new Table(new PostgresqlObjectName(schema, LedgerMerkleTree.LeavesTable, SchemaUtils.IdentifierUsage.General));
        leaves.AddColumn<long>("leaf_index").AsPrimaryKey();
        leaves.AddColumn<long>("seq_id").NotNull();
        leaves.AddColumn("event_hash", "bytea").NotNull();
        leaves.AddColumn<string>("stream_id").NotNull();
        leaves.AddColumn<long>("version").NotNull();
        leaves.Indexes.Add(new IndexDefinition($"ux_{LedgerMerkleTree.LeavesTable}_seq_id") { Columns = ["seq_id"], IsUnique = true });
        yield return leaves;

        var nodes = new Table(new PostgresqlObjectName(schema, LedgerMerkleTree.NodesTable, SchemaUtils.IdentifierUsage.General));
        nodes.AddColumn<int>("level").AsPrimaryKey();
        nodes.AddColumn<long>("node_index").AsPrimaryKey();
        nodes.AddColumn("hash", "bytea").NotNull();
        yield return nodes;
    }
}
