using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Host.ProjectionOps;

/// <summary>Where one projection stands. Inline projections are written with the events, so they are always at the high-water mark.</summary>
public sealed record ProjectionStatus(string Name, string Lifecycle, long Position, long Lag, ProjectionState Status);

public sealed record ProjectionsReport(long HighWaterMark, Instant CheckedAt, IReadOnlyList<ProjectionStatus> Projections);

/// <summary>
/// Reads every projection's position against the ledger's high-water mark and decides whether it is
/// caught up, catching up or stalled (<see cref="StallTracker"/>). Marten's own progression table is
/// the source: it is shared by every node, so any node answers for the whole cluster.
/// </summary>
public sealed class ProjectionMonitor(
    IDocumentStore store, ProjectionCatalog catalog, StallTracker tracker, IClock clock, IOptions<ProjectionOpsOptions> options)
{
    public async Task<ProjectionsReport> ReadAsync(CancellationToken ct)
    {
        LedgerPositions positions;
        await using (var session = store.QuerySession())
        {
            positions = await LedgerPositions.ReadAsync(session, ct);
        }

        var states = await store.Advanced.AllProjectionProgress(token: ct);
        var failed = states
            .Where(s => s.Failure is not null || string.Equals(s.AgentStatus, "Paused", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.ShardName)
            .ToHashSet(StringComparer.Ordinal);

        var now = clock.GetCurrentInstant();
        var stallAfter = Duration.FromTimeSpan(options.Value.StallAfter);
        var hwm = positions.HighWaterMark;
        var statuses = catalog.Projections.Select(p =>
        {
            if (p.Lifecycle == ProjectionLifecycle.Inline)
            {
                return new ProjectionStatus(p.Name, p.LifecycleName, hwm, 0, ProjectionState.CaughtUp);
            }

            var position = positions.PositionOf(p.Shard) ?? 0;
            var state = tracker.Observe(p.Name, position, hwm, now, stallAfter);
            if (state == ProjectionState.CatchingUp && p.Shard is not null && failed.Contains(p.Shard))
            {
                // A paused shard does not come back on its own: no need to wait to call it stalled.
                state = ProjectionState.Stalled;
            }

            return new ProjectionStatus(p.Name, p.LifecycleName, position, Math.Max(0, hwm - position), state);
        }).ToList();

        return new ProjectionsReport(hwm, now, statuses);
    }
}
