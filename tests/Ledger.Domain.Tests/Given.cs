using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using NodaTime;
using NodaTime.Testing;

namespace Ledger.Domain.Tests;

/// <summary>
/// The world a domain test decides in: a fake clock, the people acting, the reference data, and
/// commitments built the way the event store builds them, by replaying their events through
/// <see cref="Commitment.Create"/> and <c>Apply</c>.
/// </summary>
internal static class Given
{
    /// <summary>The instant every test's clock starts at: 14 March 2025, 09:30 UTC.</summary>
    public static readonly Instant Now = Instant.FromUtc(2025, 3, 14, 9, 30);

    public static readonly LocalDate Today = new(2025, 3, 14);

    /// <summary>The Astana meeting's first day, when its commitments were pledged.</summary>
    public static readonly LocalDate AstanaOpening = new(2024, 7, 22);

    public static readonly Actor Secretariat = new("amina.r@secretariat.un-oic.example", "OIC");

    public static readonly Actor Importer = Actor.Importer();

    public const string Code = "AST-2024-06";

    /// <summary>A fresh clock per test: the only source of time a test may use.</summary>
    public static FakeClock Clock() => new(Now);

    public static readonly WorkingSession Political = new(
        1, "Cooperation on Political Issues", ["Good governance", "Human rights"], []);

    public static readonly WorkingSession Economic = new(
        2, "Cooperation on Economic and Scientific Issues", ["South-South cooperation projects", "Transport"], []);

    public static readonly WorkingSession Humanitarian = new(
        3, "Cooperation on Cultural, Social, and Humanitarian Issues",
        ["Islamic finance", "Mobilizing support for humanitarian crises in the OIC region"], ["Afghanistan", "Yemen"]);

    /// <summary>Both meetings file their lines under Astana's working sessions, as the import does.</summary>
    public static readonly ReferenceCatalog Catalog = new(
        new Dictionary<string, IReadOnlyList<WorkingSession>>(StringComparer.Ordinal)
        {
            ["GVA-2022"] = [Political, Economic, Humanitarian],
            ["AST-2024"] = [Political, Economic, Humanitarian],
        },
        new HashSet<string>(StringComparer.Ordinal) { "UN", "OIC", "IOFS", "FAO", "UNRWA", "KAZ-MFA" },
        new HashSet<string>(StringComparer.Ordinal) { "UN-2030", "OIC-2025" });

    /// <summary>The first event of a commitment's stream: the IOFS–FAO letter of intent, agreed in Astana.</summary>
    public static CommitmentPledged Pledged(CommitmentStatus status = CommitmentStatus.Agreed) => new(
        Code,
        "AST-2024",
        "IOFS-FAO Letter of Intent on institutional cooperation in member states",
        CommitmentKind.Agreement,
        status,
        Leads: ["IOFS", "FAO"],
        Partners: [],
        Countries: ["AFG", "TCD", "DJI"],
        WorkingSession: null,
        Topic: null,
        Frameworks: [],
        DueDate: null,
        Basis.Stated,
        Inferred: new Dictionary<string, string>(StringComparer.Ordinal),
        Source: null,
        PledgedOn: FactDate.Day(AstanaOpening),
        RecordedBy: Importer,
        RecordedAt: Instant.FromUtc(2024, 7, 23, 8, 0));

    /// <summary>A Geneva 2022 matrix line, filed under working session 2, reviewed in Astana.</summary>
    public static CommitmentPledged GenevaLine() => new(
        "GVA-2022-2.3",
        "GVA-2022",
        "Cooperation on South-South cooperation projects",
        CommitmentKind.MatrixLine,
        CommitmentStatus.Agreed,
        Leads: ["UN", "OIC"],
        Partners: [],
        Countries: [],
        WorkingSession: 2,
        Topic: "South-South cooperation projects",
        Frameworks: [],
        DueDate: null,
        Basis.AgendaTopic,
        Inferred: new Dictionary<string, string>(StringComparer.Ordinal),
        Source: null,
        PledgedOn: FactDate.Month(new YearMonth(2022, 7)),
        RecordedBy: Importer,
        RecordedAt: Instant.FromUtc(2024, 7, 23, 8, 0));

    public static ProgressReported Reported(CommitmentStatus status, int? percent = null) => new(
        Code, status, "Reported by the lead organization.", percent is { } p ? [ProgressIndicators.FromPercentComplete(p)] : [], FactDate.Day(new LocalDate(2024, 11, 5)), null,
        Secretariat, Instant.FromUtc(2024, 11, 5, 12, 0));

    public static CommitmentWithdrawn Withdrawn() => new(
        Code, "Funding did not materialise.", null, Secretariat, Instant.FromUtc(2024, 12, 1, 10, 0));

    public static CommitmentCarriedForward CarriedForward() => new(
        Code, "RUH-2026", null, Secretariat, Instant.FromUtc(2024, 12, 1, 10, 0));

    /// <summary>A stream that leaves the commitment in <paramref name="status"/>, reached the way the ledger reaches it.</summary>
    public static object[] History(CommitmentStatus status) => status switch
    {
        CommitmentStatus.Proposed => [Pledged(CommitmentStatus.Proposed)],
        CommitmentStatus.Agreed => [Pledged()],
        CommitmentStatus.InProgress => [Pledged(), Reported(CommitmentStatus.InProgress, 30)],
        CommitmentStatus.Completed => [Pledged(), Reported(CommitmentStatus.InProgress, 30), Reported(CommitmentStatus.Completed, 100)],
        CommitmentStatus.Suspended => [Pledged(), Reported(CommitmentStatus.Suspended)],
        CommitmentStatus.Withdrawn => [Pledged(), Withdrawn()],
        CommitmentStatus.CarriedForward => [Pledged(), CarriedForward()],
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "no history for this status"),
    };

    /// <summary>The commitment as it stands after <see cref="History"/>.</summary>
    public static Commitment CommitmentIn(CommitmentStatus status) => Replay(History(status));

    /// <summary>Builds the aggregate from its stream: <c>Create</c> on the first event, <c>Apply</c> on the rest.</summary>
    public static Commitment Replay(params object[] events)
    {
        var pledged = events.FirstOrDefault() as CommitmentPledged
            ?? throw new ArgumentException("A commitment's stream starts with CommitmentPledged.", nameof(events));

        return events.Skip(1).Aggregate(Commitment.Create(pledged), Then);
    }

    /// <summary>Applies one more event to the aggregate.</summary>
    public static Commitment Then(Commitment current, object e) => current.Then(e);
}
