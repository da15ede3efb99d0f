using NodaTime;

namespace Ledger.Domain.Commitments;

/// <summary>
/// A commitment's state, as the write side decides with it: what its events have made of it.
/// <see cref="Id"/> is the commitment code, which is also the stream key.
/// <para>
/// <see cref="Create"/> and <see cref="Then"/> are the one statement of how an event changes a
/// commitment. Everything else derives from them: the inline read model (<c>CommitmentView</c>) folds
/// its state through them, so the state a write decides on, the state it answers with, the live read
/// model, a rebuild and a replay as of an instant cannot disagree.
/// </para>
/// </summary>
public sealed record Commitment(
    string Id,
    string Meeting,
    string Title,
    CommitmentKind Kind,
    CommitmentStatus Status,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string> Partners,
    IReadOnlyList<string> Countries,
    int? WorkingSession,
    string? Topic,
    IReadOnlyList<string> Frameworks,
    LocalDate? DueDate)
{
    /// <summary>The events of a commitment's stream: its pledge, then any of the others, each handled by <see cref="Then"/>.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } =
    [
        typeof(CommitmentPledged), typeof(CommitmentAmended), typeof(ProgressReported), typeof(ReviewDecisionRecorded),
        typeof(CommitmentWithdrawn), typeof(CommitmentCarriedForward),
    ];

    /// <summary>The stream version this state was built from (set by the event store).</summary>
    public long Version { get; set; }

    public string Code => Id;

    public bool IsLedBy(string organization) => Leads.Contains(organization, StringComparer.Ordinal);

    /// <summary>The commitment its pledge starts.</summary>
    public static Commitment Create(CommitmentPledged e) => new(
        e.Code, e.Meeting, e.Title, e.Kind, e.Status, e.Leads, e.Partners, e.Countries,
        e.WorkingSession, e.Topic, e.Frameworks, e.DueDate);

    /// <summary>The commitment after one more of its events (the stream's first event is <see cref="Create"/>'s).</summary>
    /// <exception cref="ArgumentException">The event is not one of a commitment's stream after its pledge.</exception>
    public Commitment Then(object e) => e switch
    {
        CommitmentAmended x => this with
        {
            Title = x.Title ?? Title,
            Kind = x.Kind ?? Kind,
            Leads = x.Leads ?? Leads,
            Partners = x.Partners ?? Partners,
            Countries = x.Countries ?? Countries,
            WorkingSession = x.WorkingSession ?? WorkingSession,
            Topic = x.Topic ?? Topic,
            Frameworks = x.Frameworks ?? Frameworks,
            DueDate = x.DueDate ?? DueDate,
        },
        ProgressReported x => this with { Status = x.Status },
        CommitmentWithdrawn => this with { Status = CommitmentStatus.Withdrawn },
        CommitmentCarriedForward => this with { Status = CommitmentStatus.CarriedForward },
        ReviewDecisionRecorded => this, // a review decision is history only; it changes no state
        _ => throw new ArgumentException($"{e.GetType().Name} is not an event of a commitment's stream.", nameof(e)),
    };
}
