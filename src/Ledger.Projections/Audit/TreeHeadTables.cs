using Marten;
using Weasel.Core.Migrations;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>
/// The signed tree heads the ledger issued (<c>merkle_tree_heads</c>, one row per head, numbered from 1, the whole
/// signed note kept as published) and every key that signed one (<c>merkle_tree_head_keys</c>: fingerprint, public
/// key, the first head it signed), next to the Merkle tree's own tables. Both are append-only: the host only ever
/// inserts and reads them.
/// </summary>
public sealed class TreeHeadTables(StoreOptions options) : FeatureSchemaBase("LedgerTreeHeads", options.Advanced.Migrator)
{
    public const string HeadsTable = "merkle_tree_heads";
    public const string KeysTable = "merkle_tree_head_keys";

    public override Type StorageType => typeof(TreeHeadTables);

    protected override IEnumerable<Weasel.Core.ISchemaObject> schemaObjects()
    {
        var schema = options.Events.DatabaseSchemaName;

        var heads = new Table(new PostgresqlObjectName(schema, HeadsTable, SchemaUtils.IdentifierUsage.General));
        heads.AddColumn<long>("head_id").AsPrimaryKey();
        heads.AddColumn<long>("tree_size").NotNull();
        heads.AddColumn("root_hash", "bytea").NotNull();
        heads.AddColumn<long>("last_sequence").NotNull();
        heads.AddColumn("signed_at", "timestamp with time zone").NotNull();
        heads.AddColumn<string>("key_fingerprint").NotNull();
        heads.AddColumn<string>("note").NotNull();
        yield return heads;

        var keys = new Table(new PostgresqlObjectName(schema, KeysTable, SchemaUtils.IdentifierUsage.General));
        keys.AddColumn<string>("fingerprint").AsPrimaryKey();
        keys.AddColumn<string>("public_key").NotNull();
        keys.AddColumn<long>("first_head").NotNull();
        yield return keys;
    }
}
