using System.Text.Json.Serialization;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// Where one projection stands. Inline projections are written with the events, so they are always at the high-water mark.
/// <see cref="Failure"/> says why an async projection stopped, when it did (and is left out otherwise).
/// </summary>
public sealed record ProjectionStatus(
    string Name, string Lifecycle, long Position, long Lag, ProjectionState Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ProjectionFailure? Failure = null);

/// <summary>
/// Why an async projection stopped: the event it could not apply (its sequence and type, when the failure was on
/// an event) and the daemon's reason. It stays stopped there — nothing after that event is applied — until fixed.
/// </summary>
public sealed partial record ProjectionFailure(long? Sequence, string? EventType, string Category, string Reason)
{
    /// <summary>
    /// The root cause in one line, from the daemon's failure text (an exception with its inner exceptions and
    /// stack traces): the innermost exception's message, without its type name.
    /// </summary>
    public static string RootCause(string detail)
    {
        var messages = detail.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("at ", StringComparison.Ordinal) && !line.StartsWith("--- End", StringComparison.Ordinal))
            .ToList();
        var innermost = messages.Count == 0 ? detail : messages[^1];
        innermost = ExceptionName().Replace(innermost.StartsWith("--->", StringComparison.Ordinal) ? innermost[4..].Trim() : innermost, string.Empty);
        return innermost.Length <= 300 ? innermost : innermost[..300] + "…";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[\w.`+]+(Exception|Error)\w*: ")]
    private static partial System.Text.RegularExpressions.Regex ExceptionName();
}

public sealed record ProjectionsReport(long HighWaterMark, Instant CheckedAt, IReadOnlyList<ProjectionStatus> Projections);

/// <summary>
/// Reads every projection's position against the ledger's high-water mark and decides whether it is
/// caught up, catching up or stalled (<see cref="StallTracker"/>). Marten's own progression table is
/// the source: it is shared by every node, so any node answers for the whole cluster.
/// </summary>
public sealed class ProjectionMonitor(
    IDocumentStore store, ProjectionCatalog catalog, StallTracker tracker, IClock clock, IOptions<ProjectionOpsOptions> options)
{
    private volatile ProjectionsReport? _latest;

    /// <summary>The last report read (by the sampler, <c>/health</c> or <c>/api/projections</c>); null before the first.</summary>
    public ProjectionsReport? Latest => _latest;

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
            .ToDictionary(s => s.ShardName, s => s.Failure is { } f
                ? new ProjectionFailure(f.Event?.Sequence, f.Event?.EventTypeName, f.Category.ToString(), ProjectionFailure.RootCause(f.Message))
                : null, StringComparer.Ordinal);

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
            var paused = p.RunningShard is { } shard && failed.ContainsKey(shard);
            if (state == ProjectionState.CatchingUp && paused)
            {
                // A paused shard does not come back on its own: no need to wait to call it stalled.
                state = ProjectionState.Stalled;
            }

            return new ProjectionStatus(p.Name, p.LifecycleName, position, Math.Max(0, hwm - position), state,
                paused && state != ProjectionState.CaughtUp ? failed[p.RunningShard!] : null);
        }).ToList();

        var report = new ProjectionsReport(hwm, now, statuses);
        _latest = report;
        return report;
    }
}
