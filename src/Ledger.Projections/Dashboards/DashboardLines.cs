using JasperFx.Events;

namespace Ledger.Projections.Dashboards;

/// <summary>Helpers the stage-2 read models and the dashboards' lists share.</summary>
public static class DashboardLines
{
    /// <summary>
    /// What a stage-2 projection applies: the upstream line of an <see cref="Updated{T}"/> synthetic event,
    /// otherwise the stored event's data, in the order given.
    /// </summary>
    public static IEnumerable<object> Facts(IEnumerable<IEvent> events) =>
        events.Select(e => e.Data is Updated<DashboardLine> updated ? updated.Entity : e.Data);

    /// <summary>Natural code order, so a document's JSON does not depend on the order lines arrived in.</summary>
    public static DashboardLine[] Sorted(IEnumerable<DashboardLine> lines) =>
        [.. lines.OrderBy(l => l.SortKey, StringComparer.Ordinal).ThenBy(l => l.Id, StringComparer.Ordinal)];
}
