using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Organizations;
using Marten.Events.Projections;

namespace Ledger.Projections.Dashboards;

public sealed record PortfolioOrganization(string Code, string Name, OrganizationFamily Family);

/// <summary>
/// How many commitments an organization leads and partners, by status, for each role: counters only (the
/// commitments themselves are the <see cref="DashboardLine"/>s that name it). <see cref="Id"/> is the organization
/// code. Like the boards, it takes each handed-over line's old contribution out (<see cref="DashboardLine.Before"/>)
/// and puts its new one in.
/// </summary>
public sealed record OrganizationPortfolio
{
    public required string Id { get; init; }

    /// <summary>Null until the organization's registration has been projected.</summary>
    public PortfolioOrganization? Organization { get; init; }

    public StatusCounts Leads { get; init; } = StatusCounts.Zero;

    public StatusCounts Partners { get; init; } = StatusCounts.Zero;

    public static OrganizationPortfolio Empty(string organization) => new() { Id = organization };

    /// <summary>Routing: the portfolios a fact concerns (a registration: its organization's; a line: every organization it ever named).</summary>
    public static IReadOnlyList<string> PortfoliosOf(object fact) => fact switch
    {
        OrganizationRegistered e => [e.Code],
        DashboardLine line => line.EverOrganizations,
        _ => [],
    };

    /// <summary>The portfolio after the organization's registration and commitment lines.</summary>
    public OrganizationPortfolio Fold(IEnumerable<object> facts)
    {
        var portfolio = this;
        var leads = Leads.ToArray();
        var partners = Partners.ToArray();
        void Count(DashboardLine line, int sign)
        {
            leads[(int)line.Status] += line.Leads.Contains(Id, StringComparer.Ordinal) ? sign : 0;
            partners[(int)line.Status] += line.Partners.Contains(Id, StringComparer.Ordinal) ? sign : 0;
        }

        foreach (var fact in facts)
        {
            switch (fact)
            {
                case OrganizationRegistered e when e.Code == Id:
                    portfolio = portfolio with { Organization = new PortfolioOrganization(e.Code, e.Name, e.Family) };
                    break;

                case DashboardLine line:
                    if (line.Before is { } before)
                    {
                        Count(before, -1);
                    }

                    Count(line, +1);
                    break;
            }
        }

        return portfolio with { Leads = StatusCounts.Of(leads), Partners = StatusCounts.Of(partners) };
    }
}

/// <summary>Stage 2: one portfolio per organization ever named by a commitment, or registered.</summary>
public sealed partial class OrganizationPortfolioProjection : MultiStreamProjection<OrganizationPortfolio, string>
{
    public OrganizationPortfolioProjection()
    {
        Name = DashboardProjections.PortfolioName;
        Identities<OrganizationRegistered>(OrganizationPortfolio.PortfoliosOf);
        Identities<Updated<DashboardLine>>(u => OrganizationPortfolio.PortfoliosOf(u.Entity));
    }

    public override (OrganizationPortfolio?, ActionType) DetermineAction(
        OrganizationPortfolio? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? OrganizationPortfolio.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
