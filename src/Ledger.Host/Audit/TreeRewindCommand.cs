using JasperFx.CommandLine;
using Ledger.Host.CommandLine;
using Ledger.Host.DatabaseRoles;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Marten;
using Npgsql;

namespace Ledger.Host.Audit;

/// <summary>
/// The owner's maintenance step for the Merkle tree: forgets the stored tree (its leaves, its nodes and the
/// subscription's progress) in one transaction, under the schema lock, so that the async daemon rebuilds it from
/// every event when the hosts start again. The runtime role can never do this: the tables are append-only to it.
/// </summary>
[Description("Owner maintenance: forget the stored Merkle tree so the async daemon rebuilds it from every event (stop every host first)", Name = LedgerConnections.TreeRewind)]
public sealed class TreeRewindCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var connections = host.Services.GetRequiredService<LedgerConnections>();
        var situation = await host.Services.GetRequiredService<SchemaStep>().ReadAsync(CancellationToken.None);
        if (situation.Mode == RoleMode.Runtime)
        {
            return VerbOutput.Refuse($"{situation.Role} is the runtime role: rewinding the tree is the owner's; give its connection in ConnectionStrings:{LedgerConnections.OwnerName}");
        }

        const string schema = LedgerStore.Schema;
        var tables = new[] { LedgerMerkleTree.LeavesTable, LedgerMerkleTree.NodesTable };
        var guards = LedgerProtection.Guards.Where(g => tables.Contains(g.Table)).ToList();
        await using var gate = await SchemaLock.AcquireAsync(connections.Store, shared: false);
        await using var connection = host.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long leaves;
        await using (var count = new NpgsqlCommand($"select count(*) from {schema}.{LedgerMerkleTree.LeavesTable}", connection, transaction))
        {
            leaves = (long)(await count.ExecuteScalarAsync())!;
        }

        // The owner disables its own triggers inside the transaction: no other session ever sees them off.
        var sql = string.Concat(guards.Select(g => $"alter table {schema}.{g.Table} disable trigger {g.Trigger};"))
                  + $"truncate {string.Join(", ", tables.Select(t => $"{schema}.{t}"))};"
                  + $"delete from {schema}.mt_event_progression where name like '{LedgerMerkleTree.SubscriptionName}:%';"
                  + string.Concat(guards.Select(g => $"alter table {schema}.{g.Table} enable trigger {g.Trigger};"));
        await using (var rewind = new NpgsqlCommand(sql, connection, transaction))
        {
            await rewind.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        VerbOutput.Line("Rewound the Merkle tree", "green", $"({leaves:N0} leaves forgotten). Start the hosts: the daemon's {LedgerMerkleTree.SubscriptionName} subscription rebuilds it from every event; then run verify.");
        return true;
    }
}
