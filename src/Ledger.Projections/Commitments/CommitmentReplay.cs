using Ledger.Domain.Commitments;

namespace Ledger.Projections.Commitments;

/// <summary>
/// Builds a commitment's read model from any prefix or subset of its events with the projection's own
/// fold (<see cref="CommitmentView.Next"/>): what time travel and its checkpoints use, so a past state is
/// computed exactly as the live read model would have been.
/// </summary>
public static class CommitmentReplay
{
    /// <returns>The view after the events, or null when they do not start with the pledge.</returns>
    public static CommitmentView? Replay(IEnumerable<(long Version, object Data)> events) => Replay(null, events);

    /// <summary>The view after <paramref name="events"/>, continuing from <paramref name="start"/> (null: from nothing).</summary>
    public static CommitmentView? Replay(CommitmentView? start, IEnumerable<(long Version, object Data)> events)
    {
        var view = start;
        foreach (var (version, data) in events)
        {
            view = Apply(view, version, data);
        }

        return view;
    }

    /// <summary>
    /// One event of the commitment's stream applied: the view after it, stamped with the event's version.
    /// An event of no commitment's stream leaves the view as it was.
    /// </summary>
    public static CommitmentView? Apply(CommitmentView? view, long version, object data)
    {
        if (!Handles(data))
        {
            return view;
        }

        view = CommitmentView.Next(view, data);
        if (view is not null)
        {
            view.Version = version;
        }

        return view;
    }

    /// <summary>Whether the event belongs to a commitment's stream (what the fold reads).</summary>
    public static bool Handles(object data) => Commitment.EventTypes.Contains(data.GetType());
}
