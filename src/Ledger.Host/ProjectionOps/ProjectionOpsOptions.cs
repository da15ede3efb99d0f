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
    /// </summary>
    public long ReplayWhenLagAbove { get; set; } = 200;

    /// <summary>How often the host samples projection positions, so a stall is noticed without anyone asking.</summary>
    public TimeSpan SampleEvery { get; set; } = TimeSpan.FromSeconds(10);
}
