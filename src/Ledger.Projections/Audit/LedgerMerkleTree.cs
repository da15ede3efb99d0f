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
/// one node per set bit of its size), so a replayed page or a rewound subscription rewrites the same rows.
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
        var schema = operations.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var connection = operations.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        var resumed = await ResumeAsync(connection, schema, page.SequenceFloor, cancellationToken);
        if (resumed.StoredBeyondFloor)
        {
            // A replayed page or a rewound subscription: forget what was stored past the floor, then redo it.
            var levels = Enumerable.Range(0, 63).ToArray();
            operations.QueueSqlCommand(
                $"delete from {schema}.{LeavesTable} where leaf_index >= ?", resumed.Tree.Size);
            operations.QueueSqlCommand(
                $"delete from {schema}.{NodesTable} n using unnest(?::int[], ?::bigint[]) as t(level, first_stale) "
                + "where n.level = t.level and n.node_index >= t.first_stale",
                levels, levels.Select(l => resumed.Tree.Size >> l).ToArray());
        }

        var tree = resumed.Tree;
        var indexes = new List<long>(page.Events.Count);
        var sequences = new List<long>(page.Events.Count);
        var entries = new List<byte[]>(page.Events.Count);
        var streams = new List<string>(page.Events.Count);
        var versions = new List<long>(page.Events.Count);
        var completed = new List<(MerkleNode Node, byte[] Hash)>(2 * page.Events.Count);
        foreach (var e in page.Events)
        {
            if (e.EventTypeName == FillerType)
            {
                continue;
            }

            var entry = ChainHashOf(e);
            indexes.Add(tree.Size);
            sequences.Add(e.Sequence);
            entries.Add(entry);
            streams.Add(e.StreamKey ?? string.Empty);
            versions.Add(e.Version);
            tree.Append(MerkleTree.LeafHash(entry), completed);
        }

        if (indexes.Count > 0)
        {
            operations.QueueSqlCommand(
                $"insert into {schema}.{LeavesTable} (leaf_index, seq_id, event_hash, stream_id, version) "
                + "select * from unnest(?::bigint[], ?::bigint[], ?::bytea[], ?::text[], ?::bigint[])",
                indexes.ToArray(), sequences.ToArray(), entries.ToArray(), streams.ToArray(), versions.ToArray());
            operations.QueueSqlCommand(
                $"insert into {schema}.{NodesTable} (level, node_index, hash) select * from unnest(?::int[], ?::bigint[], ?::bytea[])",
                completed.Select(c => c.Node.Level).ToArray(), completed.Select(c => c.Node.Index).ToArray(), completed.Select(c => c.Hash).ToArray());
        }

        return NullChangeListener.Instance;
    }

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
    private static async Task<(MerkleAccumulator Tree, bool StoredBeyondFloor)> ResumeAsync(
        NpgsqlConnection connection, string schema, long floor, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
             select (select coalesce(max(leaf_index) + 1, 0) from {schema}.{LeavesTable} where seq_id <= @floor),
                    (select coalesce(max(seq_id), 0) from {schema}.{LeavesTable} where seq_id <= @floor),
                    (select coalesce(max(seq_id), 0) from {schema}.mt_events where seq_id <= @floor and type <> '{FillerType}'),
                    exists (select 1 from {schema}.{LeavesTable} where seq_id > @floor)
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
    public static async Task<IReadOnlyDictionary<MerkleNode, byte[]>> ReadNodesAsync(
        NpgsqlConnection connection, string schema, IReadOnlyCollection<MerkleNode> nodes, CancellationToken ct)
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
        return missing == default || found.Count == nodes.Count
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
