using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// How many commitments cover a country, by status: counters only (the commitments are the <see cref="DashboardLine"/>s
/// naming it). <see cref="Id"/> is the ISO 3166-1 alpha-3 code.
/// </summary>
public sealed record CountryCoverage
{
    public required string Id { get; init; }

    public StatusCounts ByStatus { get; init; } = StatusCounts.Zero;

    public static CountryCoverage Empty(string country) => new() { Id = country };

    /// <summary>Routing: the coverages a line concerns (every country it ever named).</summary>
    public static IReadOnlyList<string> CoveragesOf(object fact) => fact is DashboardLine line ? line.EverCountries : [];

    public CountryCoverage Fold(IEnumerable<object> facts)
    {
        var counts = ByStatus.ToArray();
        foreach (var line in facts.OfType<DashboardLine>())
        {
            if (line.Before is { } before && before.Covers(Id))
            {
                counts[(int)before.Status]--;
            }

            if (line.Covers(Id))
            {
                counts[(int)line.Status]++;
            }
        }

        return this with { ByStatus = StatusCounts.Of(counts) };
    }
}

/// <summary>Stage 2: one coverage per country ever named by a commitment.</summary>
public sealed partial class CountryCoverageProjection : MultiStreamProjection<CountryCoverage, string>
{
    public CountryCoverageProjection()
    {
        Name = DashboardProjections.CoverageName;
        Identities<Updated<DashboardLine>>(u => CountryCoverage.CoveragesOf(u.Entity));
    }

    public override (CountryCoverage?, ActionType) DetermineAction(
        CountryCoverage? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? CountryCoverage.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
