using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

/// <summary>The commitments covering a country, with counts by status. <see cref="Id"/> is the ISO 3166-1 alpha-3 code.</summary>
public sealed record CountryCoverage
{
    public required string Id { get; init; }

    public DashboardLine[] Lines { get; init; } = [];

    public StatusCounts ByStatus { get; init; } = StatusCounts.Zero;

    public static CountryCoverage Empty(string country) => new() { Id = country };

    public CountryCoverage Fold(IEnumerable<object> facts)
    {
        var lines = Lines.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var line in facts.OfType<DashboardLine>())
        {
            DashboardLines.Upsert(lines, line, keep: line.Covers(Id));
        }

        var sorted = DashboardLines.Sorted(lines.Values);
        return this with { Lines = sorted, ByStatus = StatusCounts.Of(sorted) };
    }
}

/// <summary>Stage 2: one coverage per country ever named by a commitment.</summary>
public sealed partial class CountryCoverageProjection : MultiStreamProjection<CountryCoverage, string>
{
    public CountryCoverageProjection()
    {
        Name = DashboardProjections.CoverageName;
        Identities<Updated<DashboardLine>>(u => u.Entity.EverCountries);
    }

    public override (CountryCoverage?, ActionType) DetermineAction(
        CountryCoverage? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? CountryCoverage.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
