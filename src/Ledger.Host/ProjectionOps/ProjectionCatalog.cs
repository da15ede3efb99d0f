using JasperFx.Events.Projections;
using JasperFx.Events.Subscriptions;
using Ledger.Projections.Audit;
using Marten;
using Marten.Events.Projections;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// A projection as operations see it: its name, lifecycle and, when async, the progression row it advances and
/// the shard whose agent runs it (its composite's, for a member of a composite: a failure stops them all there).
/// </summary>
public sealed record ProjectionInfo(string Name, ProjectionLifecycle Lifecycle, string? Shard, string? AgentShard = null)
{
    /// <summary>The progression row whose agent status and failure apply to this projection.</summary>
    public string? RunningShard => AgentShard ?? Shard;

    public string LifecycleName => Lifecycle == ProjectionLifecycle.Inline ? Freshness.Inline : Freshness.Async;
}

/// <summary>Every projection the store runs, read from its configuration (a composite counts as its members), and the Merkle tree's subscription.</summary>
public sealed class ProjectionCatalog
{
    public ProjectionCatalog(IDocumentStore store)
    {
        var options = (StoreOptions)store.Options;
        var all = new List<ProjectionInfo>();
        foreach (var source in options.Projections.All)
        {
            if (source is CompositeProjection composite)
            {
                var parent = ((ISubscriptionSource)composite).ShardNames()[0];
                all.AddRange(composite.AllProjections().Select(member => new ProjectionInfo(
                    member.Name, ProjectionLifecycle.Async,
                    composite.ConstituentShardNames(parent).FirstOrDefault(s => s.Name == member.Name)?.Identity
                    ?? member.ShardNames()[0].Identity,
                    parent.Identity)));
            }
            else if (source.Lifecycle != ProjectionLifecycle.Live)
            {
                all.Add(new ProjectionInfo(
                    source.Name, source.Lifecycle,
                    source.Lifecycle == ProjectionLifecycle.Async ? source.ShardNames()[0].Identity : null));
            }
        }

        // The ledger's Merkle tree is a subscription, not a projection, but operations watch it the same way.
        all.Add(new ProjectionInfo(LedgerMerkleTree.SubscriptionName, ProjectionLifecycle.Async, $"{LedgerMerkleTree.SubscriptionName}:All"));

        Projections = [.. all.OrderBy(p => p.Lifecycle).ThenBy(p => p.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<ProjectionInfo> Projections { get; }

    public ProjectionInfo? Find(string name) => Projections.FirstOrDefault(p => p.Name == name);
}
