using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Marten.Events.Aggregation;
using NodaTime;

namespace Ledger.Projections.Commitments;

public sealed record ProgressSummary(
    CommitmentStatus Status,
    string Narrative,
    int? PercentComplete,
    FactDate AsOf,
    Actor ReportedBy,
    Instant RecordedAt);

public sealed record ReviewSummary(
    string Meeting,
    ReviewRating Rating,
    ReviewOutcome Decision,
    string? Remarks,
    LocalDate? NextReviewDue,
    Actor DecidedBy,
    Instant RecordedAt);

/// <summary>
/// A commitment as dashboards and the API read it: updated inline, in the same transaction as its
/// events, so it is exact the moment a write is acknowledged. <see cref="Id"/> is the commitment code.
/// </summary>
public sealed record CommitmentView
{
    public required string Id { get; init; }

    public required string Meeting { get; init; }

    public required string Title { get; init; }

    public CommitmentKind Kind { get; init; }

    public CommitmentStatus Status { get; init; }

    public string[] Leads { get; init; } = [];

    public string[] Partners { get; init; } = [];

    public string[] Countries { get; init; } = [];

    public int? WorkingSession { get; init; }

    public string? Topic { get; init; }

    public string[] Frameworks { get; init; } = [];

    public LocalDate? DueDate { get; init; }

    public Basis Basis { get; init; }

    /// <summary>
    /// The fields whose value is the ledger's reading of the source rather than a stated or recorded
    /// fact, each with the reason. A field recorded later (a status reported, withdrawn or carried
    /// forward; an amended field) is no longer a reading and leaves this list.
    /// </summary>
    public IReadOnlyDictionary<string, string> Inferred { get; init; } = new Dictionary<string, string>();

    public SourceStatement? Source { get; init; }

    public required FactDate PledgedOn { get; init; }

    public ProgressSummary? LatestProgress { get; init; }

    public ReviewSummary? LatestReview { get; init; }

    public string? CarriedForwardTo { get; init; }

    public string? WithdrawalReason { get; init; }

    public required Instant RecordedAt { get; init; }

    public required Instant LastChangedAt { get; init; }

    public required Actor LastChangedBy { get; init; }

    /// <summary>Sorts codes naturally (GVA-2022-1.2 before GVA-2022-1.10).</summary>
    public required string SortKey { get; init; }

    /// <summary>The stream version: the number of events applied. Used as the ETag.</summary>
    public long Version { get; set; }
}

public sealed partial class CommitmentViewProjection : SingleStreamProjection<CommitmentView, string>
{
    public static CommitmentView Create(CommitmentPledged e) => new()
    {
        Id = e.Code,
        Meeting = e.Meeting,
        Title = e.Title,
        Kind = e.Kind,
        Status = e.Status,
        Leads = [.. e.Leads],
        Partners = [.. e.Partners],
        Countries = [.. e.Countries],
        WorkingSession = e.WorkingSession,
        Topic = e.Topic,
        Frameworks = [.. e.Frameworks],
        DueDate = e.DueDate,
        Basis = e.Basis,
        Inferred = e.Inferred,
        Source = e.Source,
        PledgedOn = e.PledgedOn,
        RecordedAt = e.RecordedAt,
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
        SortKey = CommitmentCode.SortKey(e.Code),
    };

    public static CommitmentView Apply(CommitmentAmended e, CommitmentView view) => view with
    {
        Title = e.Title ?? view.Title,
        Kind = e.Kind ?? view.Kind,
        Leads = e.Leads is null ? view.Leads : [.. e.Leads],
        Partners = e.Partners is null ? view.Partners : [.. e.Partners],
        Countries = e.Countries is null ? view.Countries : [.. e.Countries],
        WorkingSession = e.WorkingSession ?? view.WorkingSession,
        Topic = e.Topic ?? view.Topic,
        Frameworks = e.Frameworks is null ? view.Frameworks : [.. e.Frameworks],
        DueDate = e.DueDate ?? view.DueDate,
        Inferred = Recorded(view.Inferred, AmendedFields(e)),
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
    };

    public static CommitmentView Apply(ProgressReported e, CommitmentView view) => view with
    {
        Status = e.Status,

        // A status reported by a lead organization or the secretariat is a recorded fact; a report
        // imported from the source (it carries the source's statement) stays the ledger's reading.
        Inferred = e.Source is null ? Recorded(view.Inferred, StatusField) : view.Inferred,
        LatestProgress = new ProgressSummary(e.Status, e.Narrative, e.PercentComplete, e.AsOf, e.RecordedBy, e.RecordedAt),
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
    };

    public static CommitmentView Apply(ReviewDecisionRecorded e, CommitmentView view) => view with
    {
        LatestReview = new ReviewSummary(e.Meeting, e.Rating, e.Decision, e.Remarks, e.NextReviewDue, e.RecordedBy, e.RecordedAt),
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
    };

    public static CommitmentView Apply(CommitmentWithdrawn e, CommitmentView view) => view with
    {
        Status = CommitmentStatus.Withdrawn,
        Inferred = Recorded(view.Inferred, StatusField),
        WithdrawalReason = e.Reason,
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
    };

    public static CommitmentView Apply(CommitmentCarriedForward e, CommitmentView view) => view with
    {
        Status = CommitmentStatus.CarriedForward,
        Inferred = Recorded(view.Inferred, StatusField),
        CarriedForwardTo = e.ToMeeting,
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
    };

    private const string StatusField = "status";

    /// <summary>The inferred readings without those of <paramref name="fields"/>, which are now recorded.</summary>
    private static IReadOnlyDictionary<string, string> Recorded(IReadOnlyDictionary<string, string> inferred, params IEnumerable<string> fields)
    {
        var recorded = fields.Where(inferred.ContainsKey).ToHashSet(StringComparer.Ordinal);
        return recorded.Count == 0
            ? inferred
            : inferred.Where(reading => !recorded.Contains(reading.Key)).ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>The read model's names of the fields an amendment sets (the keys <see cref="CommitmentView.Inferred"/> uses).</summary>
    private static IEnumerable<string> AmendedFields(CommitmentAmended e)
    {
        (string Field, bool Set)[] fields =
        [
            ("title", e.Title is not null), ("kind", e.Kind is not null), ("leads", e.Leads is not null),
            ("partners", e.Partners is not null), ("countries", e.Countries is not null),
            ("workingSession", e.WorkingSession is not null), ("topic", e.Topic is not null),
            ("frameworks", e.Frameworks is not null), ("dueDate", e.DueDate is not null),
        ];
        return fields.Where(f => f.Set).Select(f => f.Field);
    }
}
