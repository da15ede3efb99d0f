using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Meetings;

public sealed record WorkingSession(int Number, string Title, IReadOnlyList<string> Topics, IReadOnlyList<string> CrisisAreas);

/// <summary>
/// A UN–OIC meeting entered in the ledger, with its working sessions. <see cref="Opens"/> is the
/// first day when known, otherwise the month's first day marked approximate.
/// </summary>
public sealed record MeetingRegistered(
    string Code,
    string Title,
    string City,
    string Country,
    string TimeZone,
    FactDate Opens,
    LocalDate? StartDate,
    LocalDate? EndDate,
    string? Host,
    int? Participants,
    string? Reviews,
    IReadOnlyList<WorkingSession> Sessions,
    Basis Basis,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;
