using JasperFx.Events.Daemon;
using Ledger.Projections.Dashboards;

namespace Ledger.Host.ProjectionOps;

/// <summary>The <c>Ledger:Projections</c> configuration section.</summary>
public sealed class ProjectionOpsOptions
{
    public const string Section = "Ledger:Projections";

    /// <summary>An async projection behind the ledger whose position has not moved for this long is stalled (/health degrades).</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A dashboard is answered from its read model while the projection is at most this many events
    /// behind; further behind (a rebuild, a large import being caught up) it is computed from the events.
    /// The default is one page of the daemon (<see cref="DashboardProjections.RebuildBatchSize"/>, 2,000 events): more
    /// than a busy ledger writes between two of the daemon's looks (<see cref="PollEvery"/>; the write path's measured
    /// rate on two cores is about 1,600 a second), so sustained writes never turn every dashboard read into a scan of
    /// the whole ledger, while a rebuild or an import being caught up, far more than a page behind, still does.
    /// </summary>
    public long ReplayWhenLagAbove { get; set; } = DashboardProjections.RebuildBatchSize;

    /// <summary>How often the host samples projection positions, so a stall is noticed without anyone asking.</summary>
    public TimeSpan SampleEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the async daemon looks for new events while the ledger is being written (Marten's <c>FastPollingTime</c>;
    /// an idle ledger is looked at every second too). Each look hands every projection one page of what arrived since, and
    /// an aggregation writes each document it touches once per page: under sustained writes a longer interval makes fewer,
    /// larger pages, so a board or a commitment's line is written once for many events instead of once for each. Marten's
    /// default, 250 ms, cost an HTTP write at 16 clients about 30 % more CPU, host and PostgreSQL together
    /// (docs/benchmarks.md). The price of a second: the dashboards trail a write by up to about a second while writes
    /// keep coming, as they do when idle.
    /// </summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Applies the daemon's settings to the store; refuses an interval that is not between 10 ms and 10 s.</summary>
    public void ApplyTo(DaemonSettings daemon)
    {
        if (PollEvery < TimeSpan.FromMilliseconds(10) || PollEvery > TimeSpan.FromSeconds(10))
        {
            throw new InvalidOperationException(
                $"{Section}:PollEvery must be between 00:00:00.010 and 00:00:10 (now {PollEvery}): shorter, the daemon " +
                "would query the ledger without pause; longer, the dashboards would trail the writes by more than that.");
        }

        daemon.FastPollingTime = PollEvery;
    }
}
