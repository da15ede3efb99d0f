using Shouldly;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>
/// <c>tree-rewind</c>: the owner's maintenance step that forgets the Merkle tree the async daemon keeps, refused to the
/// runtime role; a host started afterwards rebuilds the tree from every event, and the ledger verifies again.
/// </summary>
public sealed class TreeRewindVerb
{
    [Fact]
    public async Task tree_rewind_is_the_owners_and_the_daemon_rebuilds_the_tree_it_forgot()
    {
        await using var database = await TestDatabase.CreateAsync("rewind");
        await VerbSettings.SucceedsAsync(["import"], VerbSettings.Owner(database));
        var events = await VerbSettings.EventCountAsync(database);
        await using (var host = await LedgerProcess.StartAsync("rewind-before", VerbSettings.Runtime(database)))
        {
            await LeavesReachAsync(database, events);
        }

        (await VerbSettings.FailsAsync(["tree-rewind"], VerbSettings.Runtime(database)))
            .Output.ShouldContain("ledger_app is the runtime role: rewinding the tree is the owner's");
        (await Leaves(database)).ShouldBe(events);

        var rewound = await VerbSettings.SucceedsAsync(["tree-rewind"], VerbSettings.Owner(database));
        rewound.Output.ShouldContain($"Rewound the Merkle tree ({events:N0} leaves forgotten).");
        (await Leaves(database)).ShouldBe(0);

        await using (var host = await LedgerProcess.StartAsync("rewind-after", VerbSettings.Runtime(database)))
        {
            await LeavesReachAsync(database, events);
        }

        var verified = await VerbSettings.SucceedsAsync(["verify"], VerbSettings.Runtime(database));
        verified.Output.ShouldContain($"Compared {events:N0} events with the leaves of the Merkle tree");
        verified.Output.ShouldContain("Intact:");
    }

    private static Task<long> Leaves(TestDatabase database) =>
        VerbSettings.ScalarAsync(database.OwnerConnectionString, "select count(*) from ledger.merkle_leaves");

    /// <summary>Waits (at most a minute) for the daemon to have a leaf for every event.</summary>
    private static async Task LeavesReachAsync(TestDatabase database, long events)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await Leaves(database) < events && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }

        (await Leaves(database)).ShouldBe(events, $"the daemon's tree after {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
