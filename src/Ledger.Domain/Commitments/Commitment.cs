using NodaTime;

namespace Ledger.Domain.Commitments;

/// <summary>
/// A commitment as the write side needs it to decide: built by replaying its stream.
/// <see cref="Id"/> is the commitment code, which is also the stream key.
/// </summary>
public sealed partial record Commitment(
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
    /// <summary>The stream version this state was built from (set by the event store).</summary>
    public long Version { get; set; }

    public string Code => Id;

    public bool IsLedBy(string organization) => Leads.Contains(organization, StringComparer.Ordinal);

    public static Commitment Create(CommitmentPledged e) => new(
        e.Code, e.Meeting, e.Title, e.Kind, e.Status, e.Leads, e.Partners, e.Countries,
        e.WorkingSession, e.Topic, e.Frameworks, e.DueDate);

    public Commitment Apply(CommitmentAmended e) => this with
    {
        Title = e.Title ?? Title,
        Kind = e.Kind ?? Kind,
        Leads = e.Leads ?? Leads,
        Partners = e.Partners ?? Partners,
        Countries = e.Countries ?? Countries,
        WorkingSession = e.WorkingSession ?? WorkingSession,
        Topic = e.Topic ?? Topic,
        Frameworks = e.Frameworks ?? Frameworks,
        DueDate = e.DueDate ?? DueDate,
    };

    public Commitment Apply(ProgressReported e) => this with { Status = e.Status };

    public Commitment Apply(CommitmentWithdrawn e) => this with { Status = CommitmentStatus.Withdrawn };

    public Commitment Apply(CommitmentCarriedForward e) => this with { Status = CommitmentStatus.CarriedForward };

    /// <summary>
    /// The commitment after one more of its events, by the same Apply methods the event store folds with:
    /// what a decision's events will make of the state, known before they are stored.
    /// </summary>
    /// <exception cref="ArgumentException">The event is not one of a commitment's stream.</exception>
    public Commitment Then(object e) => e switch
    {
        CommitmentAmended x => Apply(x),
        ProgressReported x => Apply(x),
        CommitmentWithdrawn x => Apply(x),
        CommitmentCarriedForward x => Apply(x),
        ReviewDecisionRecorded => this, // a review decision is history only; it changes no state
        _ => throw new ArgumentException($"{e.GetType().Name} is not an event of a commitment's stream.", nameof(e)),
    };
}
