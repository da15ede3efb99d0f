using NodaTime;

namespace Ledger.Host.ProjectionOps;

public enum ProjectionState
{
    CaughtUp,
    CatchingUp,
    Stalled,
}

/// <summary>
/// Remembers, per async projection, the last position seen and since when it has been behind the
/// ledger without moving. Behind and unmoved for <c>stallAfter</c> means stalled. The caller passes
/// the instant (from the injected clock), so the rule is tested with a fake one.
/// </summary>
public sealed class StallTracker
{
    private readonly Dictionary<string, (long Position, Instant Since)> _behind = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ProjectionState Observe(string projection, long position, long highWaterMark, Instant now, Duration stallAfter)
    {
        lock (_gate)
        {
            if (position >= highWaterMark)
            {
                _behind.Remove(projection);
                return ProjectionState.CaughtUp;
            }

            // Behind: the clock starts when it is first seen behind at this position.
            if (!_behind.TryGetValue(projection, out var seen) || seen.Position != position || now < seen.Since)
            {
                _behind[projection] = seen = (position, now);
            }

            return now - seen.Since >= stallAfter ? ProjectionState.Stalled : ProjectionState.CatchingUp;
        }
    }
}
