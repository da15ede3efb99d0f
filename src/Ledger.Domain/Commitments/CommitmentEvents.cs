using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments;

// The events of a commitment's stream (stream key = the commitment code). Every event names its
// commitment, who recorded it and when the ledger recorded it (from the injected IClock). Where a
// business date applies it is carried separately, so recorded time and effective time never blur.
// These records are stored as JSON under stable names (see LedgerStore.EventTypeNames in Ledger.Projections):
// a change of shape is a new version of the event under a new name, and the previous version stays readable
// through an upcaster (CommitmentEventVersions.cs; docs/architecture.md, "Event versions").

/// <summary>Who said it in the source, and in what words; kept for imported facts.</summary>
public sealed record SourceStatement(string Fact, string? By, string? Text, string Source);

public sealed record CommitmentPledged(
    string Code,
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
    LocalDate? DueDate,
    Basis Basis,
    IReadOnlyDictionary<string, string> Inferred,
    SourceStatement? Source,
    FactDate PledgedOn,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

/// <summary>Fields left null are unchanged.</summary>
public sealed record CommitmentAmended(
    string Code,
    string? Title,
    CommitmentKind? Kind,
    IReadOnlyList<string>? Leads,
    IReadOnlyList<string>? Partners,
    IReadOnlyList<string>? Countries,
    int? WorkingSession,
    string? Topic,
    IReadOnlyList<string>? Frameworks,
    LocalDate? DueDate,
    string Reason,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

/// <summary>
/// A progress report, version 2 (<c>progress-reported-v2</c>): its result indicators, IATI-shaped. Version 1
/// (<see cref="ProgressReportedV1"/>) carried a percentage complete only and is read as this version.
/// </summary>
public sealed record ProgressReported(
    string Code,
    CommitmentStatus Status,
    string Narrative,
    IReadOnlyList<ProgressIndicator> Indicators,
    FactDate AsOf,
    SourceStatement? Source,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

public sealed record ReviewDecisionRecorded(
    string Code,
    string Meeting,
    ReviewRating Rating,
    ReviewOutcome Decision,
    string? Remarks,
    LocalDate? NextReviewDue,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

public sealed record CommitmentWithdrawn(
    string Code,
    string Reason,
    LocalDate? EffectiveOn,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

public sealed record CommitmentCarriedForward(
    string Code,
    string ToMeeting,
    string? Remarks,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;
