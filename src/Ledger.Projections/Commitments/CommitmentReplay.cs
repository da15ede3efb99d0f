using Ledger.Domain.Commitments;

namespace Ledger.Projections.Commitments;

/// <summary>
/// Builds a commitment's read model from any prefix or subset of its events with the projection's
/// own Create/Apply functions: what time travel uses, so a past state is computed exactly as the
/// live read model would have been.
/// </summary>
public static class CommitmentReplay
{
    /// <returns>The view after the events, or null when they do not start with the pledge.</returns>
    public static CommitmentView? Replay(IEnumerable<(long Version, object Data)> events)
    {
        CommitmentView? view = null;
        foreach (var (version, data) in events)
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
        }

        return view;
    }
}
