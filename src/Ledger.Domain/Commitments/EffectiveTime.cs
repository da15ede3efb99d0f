using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments;

/// <summary>
/// When a commitment's event took effect in business time, as opposed to when the ledger recorded it
/// (docs/domain.md#dates). A pledge is in force from its pledge date, a progress report from the date it
/// describes, a withdrawal from its effective date when it gives one; every other event (an amendment, a
/// review decision, a carry-forward, a withdrawal without a date) from the instant it was recorded.
/// </summary>
public static class EffectiveTime
{
    /// <summary>The business day the event names (the month's first day for a date known to the month), or null when it names none.</summary>
    public static LocalDate? DayOf(object data) => data switch
    {
        CommitmentPledged e => e.PledgedOn.Date,
        ProgressReported e => e.AsOf.Date,
        CommitmentWithdrawn { EffectiveOn: { } on } => on,
        _ => null,
    };

    /// <summary>
    /// The instant from which the event is in force: a named day from its start in <paramref name="zone"/> (the time
    /// zone of the commitment's meeting), otherwise the instant it was recorded (<paramref name="recorded"/> for an
    /// event that does not carry its own).
    /// </summary>
    public static Instant From(object data, Instant recorded, DateTimeZone zone) =>
        DayOf(data) is { } day ? day.AtStartOfDayInZone(zone).ToInstant()
        : data is ILedgerEvent e ? e.RecordedAt
        : recorded;
}
