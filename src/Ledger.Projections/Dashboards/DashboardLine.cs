using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Marten.Events.Aggregation;
using NodaTime;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// One commitment as every dashboard needs it: what it is, where it stands, and the dates the
/// query-time rules (<see cref="DashboardRules"/>) need. <see cref="Id"/> is the commitment code.
/// The first stage of the dashboards' composite projection; the boards, portfolios, coverages and
/// review queues are built from these lines, never from the events directly.
/// </summary>
public sealed record DashboardLine
{
    public required string Id { get; init; }

    public required string Meeting { get; init; }

    public required string Title { get; init; }

    public CommitmentKind Kind { get; init; }

    public CommitmentStatus Status { get; init; }

    public Basis Basis { get; init; }

    public int? WorkingSession { get; init; }

    public string[] Leads { get; init; } = [];

    public string[] Partners { get; init; } = [];

    public string[] Countries { get; init; } = [];

    public LocalDate? DueDate { get; init; }

    /// <summary>The pledge's business date (the first day of the month when only the month is known).</summary>
    public LocalDate PledgedOn { get; init; }

    /// <summary>The as-of date of the latest progress report.</summary>
    public LocalDate? LastReportOn { get; init; }

    /// <summary>A review decision was recorded.</summary>
    public bool Reviewed { get; init; }

    /// <summary>The meeting of the latest review decision.</summary>
    public string? ReviewedAt { get; init; }

    /// <summary>
    /// Every organization the commitment ever named as lead or partner. Routing only: an amendment that
    /// drops an organization must still reach that organization's portfolio to remove the commitment.
    /// </summary>
    public string[] EverOrganizations { get; init; } = [];

    /// <summary>Every country the commitment ever named (routing only, like <see cref="EverOrganizations"/>).</summary>
    public string[] EverCountries { get; init; } = [];

    public Instant LastChangedAt { get; init; }

    /// <summary>Sorts codes naturally (GVA-2022-1.2 before GVA-2022-1.10).</summary>
    public required string SortKey { get; init; }

    /// <summary>
    /// The line as it was before the event range that produced this one (null when the range created it): set by the
    /// stage-1 projection for stage 2, which takes the old line's contribution out of its counters and puts the new
    /// one in. Handed over in memory only — never stored, so a stored or rebuilt line does not depend on how the
    /// events were cut into ranges.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DashboardLine? Before { get; init; }

    public bool Involves(string organization) =>
        Leads.Contains(organization, StringComparer.Ordinal) || Partners.Contains(organization, StringComparer.Ordinal);

    public bool Covers(string country) => Countries.Contains(country, StringComparer.Ordinal);

    /// <summary>
    /// The pure fold: the line after <paramref name="data"/>, or <paramref name="line"/> unchanged for an
    /// event that does not concern it. A stream that does not start with a pledge has no line.
    /// </summary>
    public static DashboardLine? Fold(DashboardLine? line, object data) => (line, data) switch
    {
        (_, CommitmentPledged e) => Pledged(e),
        (null, _) => null,
        ({ } l, CommitmentAmended e) => l.Amended(e),
        ({ } l, ProgressReported e) => l with { Status = e.Status, LastReportOn = e.AsOf.Date, LastChangedAt = e.RecordedAt },
        ({ } l, ReviewDecisionRecorded e) => l with { Reviewed = true, ReviewedAt = e.Meeting, LastChangedAt = e.RecordedAt },
        ({ } l, CommitmentWithdrawn e) => l with { Status = CommitmentStatus.Withdrawn, LastChangedAt = e.RecordedAt },
        ({ } l, CommitmentCarriedForward e) => l with { Status = CommitmentStatus.CarriedForward, LastChangedAt = e.RecordedAt },
        _ => line,
    };

    /// <summary>The commitment events a line is built from.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } =
    [
        typeof(CommitmentPledged), typeof(CommitmentAmended), typeof(ProgressReported),
        typeof(ReviewDecisionRecorded), typeof(CommitmentWithdrawn), typeof(CommitmentCarriedForward),
    ];

    private static DashboardLine Pledged(CommitmentPledged e) => new()
    {
        Id = e.Code,
        Meeting = e.Meeting,
        Title = e.Title,
        Kind = e.Kind,
        Status = e.Status,
        Basis = e.Basis,
        WorkingSession = e.WorkingSession,
        Leads = [.. e.Leads],
        Partners = [.. e.Partners],
        Countries = [.. e.Countries],
        DueDate = e.DueDate,
        PledgedOn = e.PledgedOn.Date,
        EverOrganizations = Union([], [.. e.Leads, .. e.Partners]),
        EverCountries = Union([], e.Countries),
        LastChangedAt = e.RecordedAt,
        SortKey = CommitmentCode.SortKey(e.Code),
    };

    private DashboardLine Amended(CommitmentAmended e)
    {
        var leads = e.Leads is null ? Leads : [.. e.Leads];
        var partners = e.Partners is null ? Partners : [.. e.Partners];
        var countries = e.Countries is null ? Countries : [.. e.Countries];
        return this with
        {
            Title = e.Title ?? Title,
            Kind = e.Kind ?? Kind,
            WorkingSession = e.WorkingSession ?? WorkingSession,
            Leads = leads,
            Partners = partners,
            Countries = countries,
            DueDate = e.DueDate ?? DueDate,
            EverOrganizations = Union(EverOrganizations, [.. leads, .. partners]),
            EverCountries = Union(EverCountries, countries),
            LastChangedAt = e.RecordedAt,
        };
    }

    /// <summary>Sorted and distinct, so a line's JSON does not depend on the order things were named in.</summary>
    private static string[] Union(IEnumerable<string> known, IEnumerable<string> more) =>
        [.. known.Concat(more).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>Stage 1 of the dashboards: one <see cref="DashboardLine"/> per commitment stream.</summary>
public sealed partial class DashboardLineProjection : SingleStreamProjection<DashboardLine, string>
{
    public DashboardLineProjection()
    {
        Name = DashboardProjections.LineName;
        foreach (var type in DashboardLine.EventTypes)
        {
            IncludeType(type);
        }
    }

    /// <summary>The range's events folded into the line, which remembers the line before them (<see cref="DashboardLine.Before"/>).</summary>
    public override (DashboardLine?, ActionType) DetermineAction(DashboardLine? snapshot, string identity, IReadOnlyList<IEvent> events)
    {
        var line = snapshot;
        foreach (var e in events)
        {
            line = DashboardLine.Fold(line, e.Data);
        }

        return line is null
            ? (null, ActionType.Nothing)
            : (line with { Before = snapshot is null ? null : snapshot with { Before = null } }, ActionType.Store);
    }
}
