using System.Text.Json.Serialization;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Domain.Organizations;
using Ledger.Host.ProjectionOps;
using Ledger.Projections.Dashboards;
using NodaTime;

namespace Ledger.Host.Dashboards;

// The dashboards' JSON, as docs/dashboards.md shows it. Counts keyed by status, kind or basis are
// dictionaries keyed by the API's kebab-case names, every key present even when zero, in the
// enums' order.

public sealed record BoardMeetingInfo(string Code, string Title, string City, FactDate Opens, LocalDate? StartDate, LocalDate? EndDate);

public sealed record SessionRow(int? Number, string? Title, int Total, IReadOnlyDictionary<string, int> ByStatus);

public sealed record MeetingBoardResponse(
    BoardMeetingInfo Meeting,
    Instant? AsOf,
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyList<SessionRow> Sessions,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByBasis,
    int Overdue,
    int Unreviewed,
    IReadOnlyDictionary<string, int> TrafficLights,
    Freshness Freshness)
{
    /// <summary>Only on a business day (<c>?effectiveOn=</c>): what was asked, and how it was read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EffectiveOn? EffectiveOn { get; init; }
}


public enum CommitmentRole
{
    Lead,
    Partner,
}

/// <summary>A commitment in a dashboard list, with today's overdue flag and traffic light.</summary>
public sealed record CommitmentSummary(
    string Code,
    string Meeting,
    string Title,
    CommitmentKind Kind,
    CommitmentStatus Status,
    int? WorkingSession,
    IReadOnlyList<string> Leads,
    LocalDate? DueDate,
    LocalDate? LastReportOn,
    TrafficLight TrafficLight,
    bool Overdue,
    bool Reviewed)
{
    /// <summary>Only in an organization's portfolio: whether the organization leads or partners the commitment.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CommitmentRole? Role { get; init; }
}

public sealed record RoleCounts(int Total, IReadOnlyDictionary<string, int> ByStatus);

public sealed record PortfolioOrganizationInfo(string Code, string Name, OrganizationFamily Family);

public sealed record OrganizationPortfolioResponse(
    PortfolioOrganizationInfo Organization,
    RoleCounts Leads,
    RoleCounts Partners,
    IReadOnlyList<CommitmentSummary> Commitments,
    Freshness Freshness)
{
    /// <summary>Only on a business day (<c>?effectiveOn=</c>): what was asked, and how it was read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EffectiveOn? EffectiveOn { get; init; }
}


public sealed record CountryCoverageResponse(
    string Country, int Total, IReadOnlyDictionary<string, int> ByStatus, IReadOnlyList<CommitmentSummary> Commitments, Freshness Freshness)
{
    /// <summary>Only on a business day (<c>?effectiveOn=</c>): what was asked, and how it was read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EffectiveOn? EffectiveOn { get; init; }
}


/// <summary>A page of commitments (the overdue list, a review queue); <see cref="Today"/> is the date the rules were applied on.</summary>
public sealed record CommitmentListResponse(
    IReadOnlyList<CommitmentSummary> Items, long Total, int Page, int PageSize, LocalDate Today, Freshness Freshness)
{
    /// <summary>Only on a business day (<c>?effectiveOn=</c>): what was asked, and how it was read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EffectiveOn? EffectiveOn { get; init; }
}


public sealed record ActivityItem(
    long Sequence, string Stream, string? Commitment, string Type, string Summary, string? User, string? Organization, Instant RecordedAt);

public sealed record ActivityResponse(IReadOnlyList<ActivityItem> Items, Freshness Freshness);

/// <summary>Turns read models into responses, applying today's rules (<see cref="DashboardRules"/>).</summary>
public static class DashboardViews
{
    public static MeetingBoardResponse Board(MeetingBoard board, BoardMeeting meeting, LocalDate today, Instant? asOf, Freshness freshness)
    {
        // Today's rules over the board's open commitments, counted by last activity and due date.
        var lights = new Dictionary<TrafficLight, int> { [TrafficLight.None] = board.Total - board.Open.Sum(o => o.Count) };
        var overdue = 0;
        foreach (var open in board.Open)
        {
            var light = DashboardRules.OpenLight(open.DueDate, open.LastActivity, today);
            lights[light] = lights.GetValueOrDefault(light) + open.Count;
            overdue += DashboardRules.IsPastDue(open.DueDate, today) ? open.Count : 0;
        }

        return new MeetingBoardResponse(
            new BoardMeetingInfo(meeting.Code, meeting.Title, meeting.City, meeting.Opens, meeting.StartDate, meeting.EndDate),
            asOf,
            board.Total,
            ByStatus(board.ByStatus),
            [.. board.Sessions.Select(s => new SessionRow(s.Number, s.Title, s.ByStatus.Total, ByStatus(s.ByStatus)))],
            Enum.GetValues<CommitmentKind>().ToDictionary(ApiNames.Of, k => board.ByKind[k]),
            Enum.GetValues<Basis>().ToDictionary(ApiNames.Of, b => board.ByBasis[b]),
            overdue,
            board.Unreviewed,
            Enum.GetValues<TrafficLight>().Where(l => l != TrafficLight.None).Append(TrafficLight.None)
                .ToDictionary(ApiNames.Of, l => lights.GetValueOrDefault(l)),
            freshness);
    }

    public static CommitmentSummary Summary(DashboardLine line, LocalDate today, CommitmentRole? role = null) => new(
        line.Id,
        line.Meeting,
        line.Title,
        line.Kind,
        line.Status,
        line.WorkingSession,
        line.Leads,
        line.DueDate,
        line.LastReportOn,
        DashboardRules.LightFor(line, today),
        DashboardRules.IsOverdue(line, today),
        line.Reviewed)
    {
        Role = role,
    };

    /// <summary>A portfolio's counters, with the lines naming the organization (in natural code order).</summary>
    public static OrganizationPortfolioResponse Portfolio(
        OrganizationPortfolio portfolio, PortfolioOrganization organization, IReadOnlyList<DashboardLine> lines, LocalDate today, Freshness freshness) => new(
        new PortfolioOrganizationInfo(organization.Code, organization.Name, organization.Family),
        new RoleCounts(portfolio.Leads.Total, ByStatus(portfolio.Leads)),
        new RoleCounts(portfolio.Partners.Total, ByStatus(portfolio.Partners)),
        [.. lines.Select(l => Summary(l, today, l.Leads.Contains(portfolio.Id, StringComparer.Ordinal) ? CommitmentRole.Lead : CommitmentRole.Partner))],
        freshness);

    /// <summary>A coverage's counters, with the lines naming the country (in natural code order).</summary>
    public static CountryCoverageResponse Coverage(CountryCoverage coverage, IReadOnlyList<DashboardLine> lines, LocalDate today, Freshness freshness) => new(
        coverage.Id, coverage.ByStatus.Total, ByStatus(coverage.ByStatus), [.. lines.Select(l => Summary(l, today))], freshness);

    public static ActivityItem Activity(ActivityEntry entry) => new(
        entry.Id, entry.Stream, entry.Commitment, entry.Type, entry.Summary, entry.User, entry.Organization, entry.RecordedAt);

    public static IReadOnlyDictionary<string, int> ByStatus(StatusCounts counts) =>
        Enum.GetValues<CommitmentStatus>().ToDictionary(CommitmentLifecycle.Describe, s => counts[s]);
}
