using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments;

// Earlier versions of the commitment's events, exactly as they were stored. They are never written again: the event
// store reads each stored one as the current version through its upcaster (registered in LedgerStore), so deciding,
// projections, replays and time travel only ever see the current shape. The stored bytes are never changed.

/// <summary>
/// Version 1 of <see cref="ProgressReported"/>, stored as <c>progress-reported</c> until progress reports gained
/// indicators: a percentage complete, or none.
/// </summary>
public sealed record ProgressReportedV1(
    string Code,
    CommitmentStatus Status,
    string Narrative,
    int? PercentComplete,
    FactDate AsOf,
    SourceStatement? Source,
    Actor RecordedBy,
    Instant RecordedAt)
{
    /// <summary>The report as version 2: its percentage complete becomes the completion indicator (<see cref="ProgressIndicators.FromPercentComplete"/>).</summary>
    public ProgressReported Upcast() => new(
        Code, Status, Narrative, PercentComplete is { } percent ? [ProgressIndicators.FromPercentComplete(percent)] : [],
        AsOf, Source, RecordedBy, RecordedAt);
}
