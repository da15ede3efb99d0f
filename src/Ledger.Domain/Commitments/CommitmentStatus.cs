using Ledger.Domain.Common;

namespace Ledger.Domain.Commitments;

/// <summary>
/// Where a commitment stands. Mapped to IATI ActivityStatus where it fits:
/// Proposed → 1 Pipeline/identification, Agreed and InProgress → 2 Implementation,
/// Completed → 3 Finalisation, Withdrawn → 5 Cancelled, Suspended → 6 Suspended.
/// CarriedForward has no IATI equivalent: the work continues under a later meeting.
/// </summary>
public enum CommitmentStatus
{
    Proposed,
    Agreed,
    InProgress,
    Completed,
    Suspended,
    Withdrawn,
    CarriedForward,
}

/// <summary>The allowed status transitions; docs/domain.md shows the same table as a diagram.</summary>
public static class CommitmentLifecycle
{
    private static readonly Dictionary<CommitmentStatus, CommitmentStatus[]> Next = new()
    {
        [CommitmentStatus.Proposed] =
            [CommitmentStatus.Agreed, CommitmentStatus.InProgress, CommitmentStatus.Withdrawn, CommitmentStatus.CarriedForward],
        [CommitmentStatus.Agreed] =
            [CommitmentStatus.InProgress, CommitmentStatus.Completed, CommitmentStatus.Suspended, CommitmentStatus.Withdrawn, CommitmentStatus.CarriedForward],
        [CommitmentStatus.InProgress] =
            [CommitmentStatus.Completed, CommitmentStatus.Suspended, CommitmentStatus.Withdrawn, CommitmentStatus.CarriedForward],
        [CommitmentStatus.Suspended] =
            [CommitmentStatus.InProgress, CommitmentStatus.Withdrawn, CommitmentStatus.CarriedForward],
        [CommitmentStatus.Completed] = [],
        [CommitmentStatus.Withdrawn] = [],
        [CommitmentStatus.CarriedForward] = [],
    };

    /// <summary>Statuses a commitment can be pledged in.</summary>
    public static IReadOnlyList<CommitmentStatus> InitialStatuses { get; } =
        [CommitmentStatus.Proposed, CommitmentStatus.Agreed, CommitmentStatus.InProgress];

    /// <summary>Statuses a progress report may set; withdrawal and carry-forward have commands of their own.</summary>
    public static IReadOnlyList<CommitmentStatus> ReportableStatuses { get; } =
        [CommitmentStatus.Agreed, CommitmentStatus.InProgress, CommitmentStatus.Completed, CommitmentStatus.Suspended];

    public static IReadOnlyList<CommitmentStatus> AllowedAfter(CommitmentStatus from) => Next[from];

    public static bool IsTerminal(CommitmentStatus status) => Next[status].Length == 0;

    public static bool CanMove(CommitmentStatus from, CommitmentStatus to) => Array.IndexOf(Next[from], to) >= 0;

    /// <summary>Null when <paramref name="from"/> → <paramref name="to"/> is allowed, otherwise the reason it is not.</summary>
    public static string? WhyNot(CommitmentStatus from, CommitmentStatus to)
    {
        if (CanMove(from, to))
        {
            return null;
        }

        if (IsTerminal(from))
        {
            return $"the commitment is {Describe(from)}, which is final";
        }

        var allowed = string.Join(", ", Next[from].Select(Describe));
        return $"a commitment that is {Describe(from)} cannot become {Describe(to)}; allowed next: {allowed}";
    }

    /// <summary>The status as the API and the documentation spell it (kebab-case).</summary>
    public static string Describe(CommitmentStatus status) => ApiNames.Of(status);
}
