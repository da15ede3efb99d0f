using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// Degraded when an async projection is stalled: behind the ledger with a position that has not moved
/// for <see cref="ProjectionOpsOptions.StallAfter"/>, or stopped by an error — then named with the event it stopped at. Catching up is healthy.
/// </summary>
public sealed class ProjectionHealthCheck(ProjectionMonitor monitor) : IHealthCheck
{
    public const string Name = "projections";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await monitor.ReadAsync(cancellationToken);
        var data = report.Projections.ToDictionary(
            p => p.Name,
            p => (object)string.Create(CultureInfo.InvariantCulture, $"{p.Lifecycle} at {p.Position}, lag {p.Lag}, {p.Status}{Stopped(p.Failure)}"));
        data["highWaterMark"] = report.HighWaterMark;

        var stalled = report.Projections.Where(p => p.Status == ProjectionState.Stalled).ToList();
        if (stalled.Count > 0)
        {
            return HealthCheckResult.Degraded(
                "stalled: " + string.Join(", ", stalled.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} at {p.Position} of {report.HighWaterMark}{Stopped(p.Failure)}"))),
                data: data);
        }

        var behind = report.Projections.Count(p => p.Status == ProjectionState.CatchingUp);
        return HealthCheckResult.Healthy(behind == 0 ? "all projections caught up" : $"{behind} projection(s) catching up", data);
    }

    /// <summary>Where and why a projection stopped: <c>, stopped at event 15054 (review-decision-recorded): …</c>.</summary>
    private static string Stopped(ProjectionFailure? failure) => failure switch
    {
        null => string.Empty,
        { Sequence: { } sequence } => string.Create(CultureInfo.InvariantCulture, $", stopped at event {sequence} ({failure.EventType}): {failure.Reason}"),
        _ => $", stopped: {failure.Reason}",
    };
}
