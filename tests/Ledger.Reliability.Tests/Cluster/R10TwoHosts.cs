using System.Diagnostics;
using System.Net;
using JasperFx.Events.Projections;
using Ledger.Host.ProjectionOps;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Cluster;

/// <summary>
/// R10: two hosts share one database as separate processes, not in solo mode: Wolverine's durable node agents
/// over PostgreSQL distribute the async projections and the Merkle subscription between them. Both serve reads
/// and writes. One is killed with SIGKILL — the one running the Merkle subscription — and within 30 s the other
/// runs every one of those agents (read from Wolverine's own node tables). The projections then catch up and
/// equal a rebuild, the Merkle tree verifies leaf by leaf (no event applied twice), and no acknowledged write of
/// either host is lost.
/// </summary>
public sealed class R10TwoHosts(ITestOutputHelper output)
{
    private const string Merkle = "ledger-merkle-tree";
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Killing_one_of_two_hosts_hands_every_agent_to_the_other_within_30_s()
    {
        await using var database = await TestDatabase.CreateAsync("r10");
        var settings = FaultHosts.Settings(database);
        await using var first = await LedgerProcess.StartAsync("r10-a", settings);
        await using var second = await LedgerProcess.StartAsync("r10-b", settings);
        using var a = first.CreateClient(TimeSpan.FromSeconds(15));
        using var b = second.CreateClient(TimeSpan.FromSeconds(15));
        var codes = await LedgerApi.ReviewableCodesAsync(a);

        // Both serve: reads and writes through each host.
        foreach (var (client, code) in new[] { (a, codes[0]), (b, codes[1]) })
        {
            (await LedgerApi.GetAsync(client, $"/api/commitments/{code}")).Status.ShouldBe(HttpStatusCode.OK);
            var wrote = await LedgerApi.ReviewAsync(client, code, $"R10 served by {client.BaseAddress}");
            wrote.IsSuccess.ShouldBeTrue(wrote.Body);
        }

        // Wolverine spreads the agents over the two nodes (the second takes part once it has waited out a stale node).
        var nodes = await NodesAsync(database);
        nodes.Count.ShouldBe(2, "each host process is a node of its own");
        var shards = AgentShards(database);
        var spread = await WaitForAsync(database, TimeSpan.FromSeconds(60), agents => agents.Count == shards.Count && agents.Values.Distinct().Count() == 2);
        var victim = spread[Merkle];
        var survivor = nodes.Single(n => n != victim);
        var (killed, kept, keptClient) = victim == nodes[0] ? (first, second, b) : (second, first, a);

        await using var load = WriteLoad.Start("R10", [a, b], [.. codes.Skip(2).Take(4)]);
        await load.WaitForAcknowledgedAsync(40, TimeSpan.FromSeconds(20));
        var before = string.Join(", ", spread.OrderBy(p => p.Key).Select(p => $"{p.Key} on node {p.Value}"));
        killed.Kill();
        var watch = Stopwatch.StartNew();
        await WaitForAsync(database, Takeover + TimeSpan.FromSeconds(30), agents => agents.Count == shards.Count && agents.Values.All(n => n == survivor));
        var takenOver = watch.Elapsed;
        var running = await WaitUntilRunningAsync(database, shards, survivor, watch, Takeover + TimeSpan.FromSeconds(30));
        await load.WaitForAcknowledgedAsync(40, TimeSpan.FromSeconds(20));
        await load.StopAsync();

        var caughtUp = await LedgerApi.WaitUntilCaughtUpAsync(keptClient, TimeSpan.FromSeconds(60));
        var proof = await LedgerApi.VerifyProjectionsAsync(keptClient);
        var verification = await LedgerApi.VerifyLedgerAsync(keptClient);
        var events = verification.GetProperty("eventsChecked").GetInt64();
        var check = await load.CheckAsync(database);
        Figures.Report(output, "R10", $"2 host processes on one database, both serving reads and writes ({before}); kill -9 of node {victim} -> " +
            $"node {survivor} ran all {shards.Count} agents {takenOver.TotalSeconds:F1} s later (running {running.TotalSeconds:F1} s after the kill), projections caught up {caughtUp.TotalSeconds:F1} s later; " +
            $"rebuild proof: {(proof.GetProperty("matches").GetBoolean() ? "every projection equals a rebuild" : "DIFFERENCES")}, Merkle tree {(verification.GetProperty("intact").GetBoolean() ? "intact" : "NOT intact")} " +
            $"({verification.GetProperty("treeLeavesCompared").GetInt64()} leaves for {events} events); writes to both: {check}");

        takenOver.ShouldBeLessThan(Takeover);
        running.ShouldBeLessThan(Takeover + TimeSpan.FromSeconds(5));
        proof.GetProperty("matches").GetBoolean().ShouldBeTrue(proof.ToString());
        verification.GetProperty("intact").GetBoolean().ShouldBeTrue(verification.ToString());
        verification.GetProperty("treeLeavesCompared").GetInt64().ShouldBe(events, "every event has exactly one leaf");
        check.Holds.ShouldBeTrue(check.ToString());
        (await LedgerApi.ReviewAsync(keptClient, codes[0], "R10 after the takeover")).IsSuccess.ShouldBeTrue();
        kept.HasExited.ShouldBeFalse();
    }

    /// <summary>The progression rows of the agents Wolverine distributes: one per async shard the ledger's store runs (a composite's members share their composite's), and the Merkle tree's subscription.</summary>
    private static List<string> AgentShards(TestDatabase database)
    {
        using var store = FaultHosts.Store(database);
        return [.. new ProjectionCatalog(store).Projections
            .Where(p => p.Lifecycle == ProjectionLifecycle.Async)
            .Select(p => p.RunningShard!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The live nodes' numbers, oldest first (the first host started first).</summary>
    private static async Task<List<int>> NodesAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select node_number from ledger.wolverine_nodes order by started", connection);
        var nodes = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            nodes.Add(reader.GetInt32(0));
        }

        return nodes;
    }

    /// <summary>Which node each event subscription agent (the dashboards, the activity feed, the Merkle tree) is assigned to, by Wolverine's node tables.</summary>
    private static async Task<Dictionary<string, int>> AgentsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select a.id, n.node_number from ledger.wolverine_node_assignments a
            join ledger.wolverine_nodes n on n.id = a.node_id
            where a.id like 'event-subscriptions://%'
            """, connection);
        var agents = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // event-subscriptions://marten/main/<database>/<shard>/all
            agents[reader.GetString(0).TrimEnd('/').Split('/')[^2]] = reader.GetInt32(1);
        }

        return agents;
    }

    private static async Task<Dictionary<string, int>> WaitForAsync(TestDatabase database, TimeSpan timeout, Func<Dictionary<string, int>, bool> done)
    {
        var watch = Stopwatch.StartNew();
        var agents = await AgentsAsync(database);
        while (!done(agents))
        {
            watch.Elapsed.ShouldBeLessThan(timeout, "agents: " + string.Join(", ", agents.Select(p => $"{p.Key} on node {p.Value}")));
            await Task.Delay(250);
            agents = await AgentsAsync(database);
        }

        return agents;
    }

    /// <summary>Waits until Marten's progression rows say every agent's shard runs on <paramref name="node"/>; returns the time since the kill.</summary>
    private static async Task<TimeSpan> WaitUntilRunningAsync(TestDatabase database, List<string> shards, int node, Stopwatch sinceKill, TimeSpan timeout)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "select count(*) from ledger.mt_event_progression where name = any(@shards) and running_on_node = @node and agent_status = 'Running'",
                connection);
            command.Parameters.AddWithValue("shards", shards.ToArray());
            command.Parameters.AddWithValue("node", node);
            if ((long)(await command.ExecuteScalarAsync())! == shards.Count)
            {
                return sinceKill.Elapsed;
            }

            sinceKill.Elapsed.ShouldBeLessThan(timeout, "the survivor does not run every shard");
            await Task.Delay(250);
        }
    }
}
