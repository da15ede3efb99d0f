using JasperFx.Events.Projections;
using Marten;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// The dashboards' read models and how the async daemon builds them.
/// <list type="bullet">
/// <item>A composite projection <c>dashboards</c>: stage 1 folds each commitment's stream into a
/// <see cref="DashboardLine"/>; stage 2 builds the <see cref="MeetingBoard"/>s,
/// <see cref="OrganizationPortfolio"/>s, <see cref="CountryCoverage"/>s and <see cref="ReviewQueueView"/>s
/// from the lines Marten hands over as <c>Updated&lt;DashboardLine&gt;</c> synthetic events (and from the
/// meetings' and organizations' registrations). One read of each event range, one transaction for all.</item>
/// <item>The activity feed, <c>activity-feed</c>: one <see cref="ActivityEntry"/> per event, in its own shard.</item>
/// </list>
/// All of it runs in Marten's async daemon; none of it reads a clock.
/// </summary>
public static class DashboardProjections
{
    public const string CompositeName = "dashboards";
    public const string LineName = "dashboard-line";
    public const string BoardName = "meeting-board";
    public const string PortfolioName = "organization-portfolio";
    public const string CoverageName = "country-coverage";
    public const string QueueName = "review-queue";
    public const string ActivityName = "activity-feed";

    /// <summary>Events per page the daemon reads for the dashboards.</summary>
    public const int RebuildBatchSize = 2000;

    /// <summary>The async projections, by name, with the document type each writes.</summary>
    public static IReadOnlyList<(string Name, Type Document)> Async { get; } =
    [
        (LineName, typeof(DashboardLine)),
        (BoardName, typeof(MeetingBoard)),
        (PortfolioName, typeof(OrganizationPortfolio)),
        (CoverageName, typeof(CountryCoverage)),
        (QueueName, typeof(ReviewQueueView)),
        (ActivityName, typeof(ActivityEntry)),
    ];

    public static StoreOptions AddDashboards(this StoreOptions opts)
    {
        // Agent status, pause reason and failure columns in mt_event_progression: freshness and /health read them.
        opts.Events.EnableExtendedProgressionTracking = true;

        // A rebuild of the activity feed only inserts (one entry per event): Marten may write it with COPY.
        // Continuous processing keeps its ordinary statements; other projections are not affected.
        opts.Projections.RebuildWithBulkCopy = true;

        // Larger pages than the default 500: fewer round trips when catching up or rebuilding.
        opts.Projections.CompositeProjectionFor(CompositeName, composite =>
        {
            composite.Options.BatchSize = RebuildBatchSize;
            composite.Add(new DashboardLineProjection());
            composite.Add(new MeetingBoardProjection(), 2);
            composite.Add(new OrganizationPortfolioProjection(), 2);
            composite.Add(new CountryCoverageProjection(), 2);
            composite.Add(new ReviewQueueProjection(), 2);
        });
        opts.Projections.Add(new ActivityFeedProjection(), ProjectionLifecycle.Async, o => o.BatchSize = RebuildBatchSize);

        opts.Schema.For<DashboardLine>().Index(x => x.Meeting).Index(x => x.SortKey);
        opts.Storage.Add(new BiViews(opts));
        return opts;
    }
}
