using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// How many of a meeting's commitments are still waiting for a review decision (<see cref="DashboardRules.NeedsReview"/>):
/// a counter; the queue itself is read from the <see cref="DashboardLine"/>s. <see cref="Id"/> is the meeting code.
/// </summary>
public sealed record ReviewQueueView
{
    public required string Id { get; init; }

    public int Waiting { get; init; }

    public static ReviewQueueView Empty(string meeting) => new() { Id = meeting };

    /// <summary>Routing: the queue a line concerns (its meeting's).</summary>
    public static IReadOnlyList<string> QueuesOf(object fact) => fact is DashboardLine line ? [line.Meeting] : [];

    public ReviewQueueView Fold(IEnumerable<object> facts)
    {
        var waiting = Waiting;
        bool Waits(DashboardLine line) => line.Meeting == Id && DashboardRules.NeedsReview(line);
        foreach (var line in facts.OfType<DashboardLine>())
        {
            waiting += (Waits(line) ? 1 : 0) - (line.Before is { } before && Waits(before) ? 1 : 0);
        }

        return this with { Waiting = waiting };
    }
}

/// <summary>Stage 2: one review queue per meeting with commitments.</summary>
public sealed partial class ReviewQueueProjection : MultiStreamProjection<ReviewQueueView, string>
{
    public ReviewQueueProjection()
    {
        Name = DashboardProjections.QueueName;
        Identities<Updated<DashboardLine>>(u => ReviewQueueView.QueuesOf(u.Entity));
    }

    public override (ReviewQueueView?, ActionType) DetermineAction(
        ReviewQueueView? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? ReviewQueueView.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
