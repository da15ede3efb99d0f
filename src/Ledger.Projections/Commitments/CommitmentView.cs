using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using JasperFx.Events;
using Marten.Events.Aggregation;
using NodaTime;

namespace Ledger.Projections.Commitments;

/// <summary>
/// The latest progress report. <see cref="PercentComplete"/> is what its completion indicator gives
/// (<see cref="ProgressIndicators.PercentComplete"/>), kept for readers of the percentage alone.
/// </summary>
public sealed record ProgressSummary(
    CommitmentStatus Status,
    string Narrative,
    int? PercentComplete,
    FactDate AsOf,
    Actor ReportedBy,
    Instant RecordedAt)
{
    /// <summary>The report's result indicators (none in a document written before reports had them, until it is rebuilt).</summary>
    public IReadOnlyList<ProgressIndicator> Indicators { get; init; } = [];
}

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

    /// <summary>
    /// The read model after one more event of its stream: null before the pledge, <see cref="Pledged"/> on
    /// it, then the domain's state change (<see cref="Commitment.Then"/>) and what this read model records
    /// of the event. The live projection, a rebuild and a replay (<see cref="CommitmentReplay"/>) all fold
    /// with this, and only this.
    /// </summary>
    /// <exception cref="ArgumentException">The event is not one of a commitment's stream.</exception>
    public static CommitmentView? Next(CommitmentView? view, object e) => (view, e) switch
    {
        (null, CommitmentPledged pledged) => Pledged(pledged),
        (null, _) => null,
        ({ } v, _) => v.After(e),
    };

    /// <summary>The state the write side decides with: the same fields, folded by the same rule.</summary>
    public Commitment ToCommitment() => new(Id, Meeting, Title, Kind, Status, Leads, Partners, Countries, WorkingSession, Topic, Frameworks, DueDate)
    {
        Version = Version,
    };

    private static CommitmentView Pledged(CommitmentPledged e) => new CommitmentView
    {
        Id = e.Code,
        Meeting = e.Meeting,
        Title = e.Title,
        Basis = e.Basis,
        Inferred = e.Inferred,
        Source = e.Source,
        PledgedOn = e.PledgedOn,
        RecordedAt = e.RecordedAt,
        LastChangedAt = e.RecordedAt,
        LastChangedBy = e.RecordedBy,
        SortKey = CommitmentCode.SortKey(e.Code),
    }.With(Commitment.Create(e));

    private CommitmentView After(object e)
    {
        var next = With(ToCommitment().Then(e)) with
        {
            // A field an event records is no longer the ledger's reading of the source. A status reported by a lead
            // organization or the secretariat is a recorded fact; a report imported from the source (it carries the
            // source's statement) stays the ledger's reading.
            Inferred = e switch
            {
                CommitmentAmended x => Recorded(Inferred, AmendedFields(x)),
                ProgressReported { Source: null } or CommitmentWithdrawn or CommitmentCarriedForward => Recorded(Inferred, StatusField),
                _ => Inferred,
            },
        };
        if (e is ILedgerEvent recorded)
        {
            next = next with { LastChangedAt = recorded.RecordedAt, LastChangedBy = recorded.RecordedBy };
        }

        return e switch
        {
            ProgressReported x => next with
            {
                LatestProgress = new ProgressSummary(x.Status, x.Narrative, ProgressIndicators.PercentComplete(x.Indicators), x.AsOf, x.RecordedBy, x.RecordedAt)
                {
                    Indicators = x.Indicators,
                },
            },
            ReviewDecisionRecorded x => next with
            {
                LatestReview = new ReviewSummary(x.Meeting, x.Rating, x.Decision, x.Remarks, x.NextReviewDue, x.RecordedBy, x.RecordedAt),
            },
            CommitmentWithdrawn x => next with { WithdrawalReason = x.Reason },
            CommitmentCarriedForward x => next with { CarriedForwardTo = x.ToMeeting },
            _ => next,
        };
    }

    /// <summary>This read model with the commitment's state fields taken from <paramref name="state"/>.</summary>
    private CommitmentView With(Commitment state) => this with
    {
        Meeting = state.Meeting,
        Title = state.Title,
        Kind = state.Kind,
        Status = state.Status,
        Leads = Array(state.Leads, Leads),
        Partners = Array(state.Partners, Partners),
        Countries = Array(state.Countries, Countries),
        WorkingSession = state.WorkingSession,
        Topic = state.Topic,
        Frameworks = Array(state.Frameworks, Frameworks),
        DueDate = state.DueDate,
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

    /// <summary>The read model's names of the fields an amendment sets (the keys <see cref="Inferred"/> uses).</summary>
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

    /// <summary>The list as the stored array, reusing the current one when the state left it as it was.</summary>
    private static string[] Array(IReadOnlyList<string> list, string[] current) =>
        ReferenceEquals(list, current) ? current : list as string[] ?? [.. list];
}

/// <summary>
/// Keeps <see cref="CommitmentView"/> inline. Its one fold is <see cref="CommitmentView.Next"/>, which
/// takes the commitment's state from the domain's (<see cref="Commitment.Then"/>) and adds what the
/// read model records of each event.
/// </summary>
public sealed class CommitmentViewProjection : SingleStreamProjection<CommitmentView, string>
{
    public CommitmentViewProjection()
    {
        foreach (var type in Commitment.EventTypes)
        {
            IncludeType(type);
        }
    }

    public override CommitmentView? Evolve(CommitmentView? snapshot, string id, IEvent e) => CommitmentView.Next(snapshot, e.Data);
}
