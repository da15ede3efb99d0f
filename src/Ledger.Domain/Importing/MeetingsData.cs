using NodaTime;

namespace Ledger.Domain.Importing;

// The shape of the meetings' data file the ledger ships (data/unoic-2022-2024.json). Property names
// follow the file (camelCase when read with web defaults). Unknown values are null, never guessed.

public sealed record MeetingsData(
    IReadOnlyList<MeetingData> Meetings,
    IReadOnlyList<WorkingSessionData> WorkingSessions,
    IReadOnlyList<OrganizationData> Organizations,
    IReadOnlyList<FrameworkData> Frameworks,
    IReadOnlyList<CommitmentData> Commitments,
    GenevaMatrixData? GenevaMatrixLines);

public sealed record MeetingData(
    string Code,
    string Title,
    string City,
    string Country,
    string TimeZone,
    YearMonth Month,
    LocalDate? StartDate,
    LocalDate? EndDate,
    string? Host,
    int? Participants,
    string? Reviews,
    string Basis);

public sealed record WorkingSessionData(int Number, string Title, IReadOnlyList<string> Topics, IReadOnlyList<string>? CrisisAreas);

public sealed record OrganizationData(string Code, string Name, string Family, string? Note);

public sealed record FrameworkData(string Code, string Name);

public sealed record CommitmentData(
    string Code,
    string Meeting,
    string Title,
    string Kind,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string>? Partners,
    IReadOnlyList<string>? Countries,
    int? WorkingSession,
    IReadOnlyList<string>? Frameworks,
    IReadOnlyList<HistoryFactData> History,
    string Basis,
    IReadOnlyDictionary<string, string>? Inferred);

public sealed record HistoryFactData(LocalDate Date, string Fact, string? By, string? Text);

public sealed record GenevaMatrixData(IReadOnlyList<string> Leads, YearMonth Month, string ReviewedAt, string Basis);
