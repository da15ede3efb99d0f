using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Organizations;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

public sealed record PortfolioOrganization(string Code, string Name, OrganizationFamily Family);

/// <summary>
/// The commitments an organization leads or partners, with counts by status for each role.
/// <see cref="Id"/> is the organization code.
/// </summary>
public sealed record OrganizationPortfolio
{
    public required string Id { get; init; }

    /// <summary>Null until the organization's registration has been projected.</summary>
    public PortfolioOrganization? Organization { get; init; }

    /// <summary>The commitments naming the organization as lead or partner, in natural code order.</summary>
    public DashboardLine[] Lines { get; init; } = [];

    public StatusCounts Leads { get; init; } = StatusCounts.Zero;

    public StatusCounts Partners { get; init; } = StatusCounts.Zero;

    public static OrganizationPortfolio Empty(string organization) => new() { Id = organization };

    /// <summary>The portfolio after the organization's registration and commitment lines.</summary>
    public OrganizationPortfolio Fold(IEnumerable<object> facts)
    {
        var portfolio = this;
        var lines = Lines.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            switch (fact)
            {
                case OrganizationRegistered e when e.Code == Id:
                    portfolio = portfolio with { Organization = new PortfolioOrganization(e.Code, e.Name, e.Family) };
                    break;

                case DashboardLine line:
                    DashboardLines.Upsert(lines, line, keep: line.Involves(Id));
                    break;
            }
        }

        var sorted = DashboardLines.Sorted(lines.Values);
        return portfolio with
        {
            Lines = sorted,
            Leads = StatusCounts.Of(sorted.Where(l => l.Leads.Contains(Id, StringComparer.Ordinal))),
            Partners = StatusCounts.Of(sorted.Where(l => l.Partners.Contains(Id, StringComparer.Ordinal))),
        };
    }
}

/// <summary>Stage 2: one portfolio per organization ever named by a commitment, or registered.</summary>
public sealed partial class OrganizationPortfolioProjection : MultiStreamProjection<OrganizationPortfolio, string>
{
    public OrganizationPortfolioProjection()
    {
        Name = DashboardProjections.PortfolioName;
        Identity<OrganizationRegistered>(e => e.Code);
        Identities<Updated<DashboardLine>>(u => u.Entity.EverOrganizations);
    }

    public override (OrganizationPortfolio?, ActionType) DetermineAction(
        OrganizationPortfolio? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? OrganizationPortfolio.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
