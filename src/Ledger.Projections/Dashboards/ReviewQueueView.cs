using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// A meeting's commitments still waiting for a review decision (<see cref="DashboardRules.NeedsReview"/>),
/// in natural code order. <see cref="Id"/> is the meeting code.
/// </summary>
public sealed record ReviewQueueView
{
    public required string Id { get; init; }

    public DashboardLine[] Lines { get; init; } = [];

    public static ReviewQueueView Empty(string meeting) => new() { Id = meeting };

    public ReviewQueueView Fold(IEnumerable<object> facts)
    {
        var lines = Lines.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var line in facts.OfType<DashboardLine>())
        {
            DashboardLines.Upsert(lines, line, keep: line.Meeting == Id && DashboardRules.NeedsReview(line));
        }

        return this with { Lines = DashboardLines.Sorted(lines.Values) };
    }
}

/// <summary>Stage 2: one review queue per meeting with commitments.</summary>
public sealed partial class ReviewQueueProjection : MultiStreamProjection<ReviewQueueView, string>
{
    public ReviewQueueProjection()
    {
        Name = DashboardProjections.QueueName;
        Identity<Updated<DashboardLine>>(u => u.Entity.Meeting);
    }

    public override (ReviewQueueView?, ActionType) DetermineAction(
        ReviewQueueView? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? ReviewQueueView.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
