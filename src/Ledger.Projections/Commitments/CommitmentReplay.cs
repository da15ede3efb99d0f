using Ledger.Domain.Commitments;

namespace Ledger.Projections.Commitments;

/// <summary>
/// Builds a commitment's read model from any prefix or subset of its events with the projection's
/// own Create/Apply functions: what time travel and its checkpoints use, so a past state is computed
/// exactly as the live read model would have been.
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

    /// <summary>One event of the commitment's stream applied: the view after it, stamped with the event's version.</summary>
    public static CommitmentView? Apply(CommitmentView? view, long version, object data)
    {
        view = (data, view) switch
        {
            (CommitmentPledged e, null) => CommitmentViewProjection.Create(e),
            (CommitmentAmended e, { } v) => CommitmentViewProjection.Apply(e, v),
            (ProgressReported e, { } v) => CommitmentViewProjection.Apply(e, v),
            (ReviewDecisionRecorded e, { } v) => CommitmentViewProjection.Apply(e, v),
            (CommitmentWithdrawn e, { } v) => CommitmentViewProjection.Apply(e, v),
            (CommitmentCarriedForward e, { } v) => CommitmentViewProjection.Apply(e, v),
            _ => view,
        };
        if (view is not null)
        {
            view.Version = version;
        }

        return view;
    }

    /// <summary>Whether the event belongs to a commitment's stream (what the fold reads).</summary>
    public static bool Handles(object data) =>
        data is CommitmentPledged or CommitmentAmended or ProgressReported or ReviewDecisionRecorded or CommitmentWithdrawn or CommitmentCarriedForward;
}
