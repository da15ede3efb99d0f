using System.Diagnostics.Metrics;
using Ledger.Host.ProjectionOps;

namespace Ledger.Host.Telemetry;

/// <summary>
/// The ledger's own instruments, on the meter <see cref="MeterName"/> (names in the OpenTelemetry style; the
/// Prometheus endpoint writes them with underscores, a counter with <c>_total</c>, a histogram in seconds with
/// <c>_seconds</c>). docs/operations.md lists them with their attributes.
/// </summary>
public sealed class LedgerMetrics
{
    /// <summary>The meter (and activity source) name of the ledger's own telemetry.</summary>
    public const string MeterName = "Ledger.Host";

    public const string Writes = "ledger.writes";
    public const string ProjectionLag = "ledger.projection.lag";
    public const string VerificationDuration = "ledger.verification.duration";
    public const string RebuildDuration = "ledger.projection.rebuild.duration";

    /// <summary>Attribute names, here and on the request's span.</summary>
    public const string OutcomeAttribute = "ledger.outcome";
    public const string RouteAttribute = "http.route";
    public const string ProjectionAttribute = "ledger.projection";
    public const string ResultAttribute = "ledger.result";

    // Verification and rebuild proofs take from milliseconds (a test ledger) to minutes (millions of events).
    private static readonly double[] SecondsBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _writes;
    private readonly Histogram<double> _verification;
    private readonly Histogram<double> _rebuild;

    public LedgerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _writes = meter.CreateCounter<long>(Writes, "{write}",
            "Writes the API answered, by route and outcome: accepted, idempotent-replay, or why it was refused.");
        _verification = meter.CreateHistogram(VerificationDuration, "s",
            "How long a verification of the whole ledger (hash chains, Merkle tree, streams) took; ledger.result: intact or findings.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _rebuild = meter.CreateHistogram(RebuildDuration, "s",
            "How long a rebuild of every projection from the events, compared with the read models, took; ledger.result: matches or differences.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    }

    public void RecordWrite(string route, string outcome) =>
        _writes.Add(1, new KeyValuePair<string, object?>(RouteAttribute, route), new KeyValuePair<string, object?>(OutcomeAttribute, outcome));

    public void RecordVerification(TimeSpan elapsed, bool intact) =>
        _verification.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ResultAttribute, intact ? "intact" : "findings"));

    public void RecordRebuild(TimeSpan elapsed, bool matches) =>
        _rebuild.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ResultAttribute, matches ? "matches" : "differences"));

}

/// <summary>
/// <see cref="LedgerMetrics.ProjectionLag"/>: each projection's lag (and the Merkle tree subscription's) as the
/// <see cref="ProjectionMonitor"/> last read it, for the sampler, <c>/health</c> or <c>/api/projections</c>; never a
/// query of its own. The monitor (and with it the store) is resolved at the first observation, not when the meter
/// provider is built: a verb that needs no database (<c>verify --tree-head</c>, <c>tree-head-key</c>) builds the
/// same services without a connection string.
/// </summary>
public sealed class ProjectionLagGauge
{
    public ProjectionLagGauge(IMeterFactory meters, IServiceProvider services)
    {
        var projections = new Lazy<ProjectionMonitor>(services.GetRequiredService<ProjectionMonitor>);
        meters.Create(LedgerMetrics.MeterName).CreateObservableGauge(
            LedgerMetrics.ProjectionLag, () => Lags(projections.Value.Latest), "{event}",
            "Events the projection (or the Merkle tree's subscription) is behind the ledger's high-water mark, at its last sample.");
    }

    private static IEnumerable<Measurement<long>> Lags(ProjectionsReport? report) =>
        report?.Projections.Select(p => new Measurement<long>(p.Lag, new KeyValuePair<string, object?>(LedgerMetrics.ProjectionAttribute, p.Name))) ?? [];
}
