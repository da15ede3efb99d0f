using Ledger.Domain.Commitments;
using NodaTime;

namespace Ledger.Projections.Dashboards;

/// <summary>How a commitment looks on a dashboard today, after UN Partnerships for SDGs' reporting practice.</summary>
public enum TrafficLight
{
    /// <summary>A final status (completed, withdrawn, carried forward): nothing left to report.</summary>
    None,

    /// <summary>Reported (or pledged) within the last year and not overdue.</summary>
    Green,

    /// <summary>Overdue, or no report for a year.</summary>
    Amber,

    /// <summary>No report for two years.</summary>
    Red,
}

/// <summary>
/// The rules that depend on today. Projections never read a clock, so they store the dates and the
/// API applies these rules at query time with the injected clock's date (UTC). One place, pure,
/// unit-tested; the board, the lists and the BI documentation all follow it.
/// </summary>
public static class DashboardRules
{
    /// <summary>A report within this period keeps a commitment green.</summary>
    public static readonly Period AmberAfter = Period.FromYears(1);

    /// <summary>No report for this long turns a commitment red.</summary>
    public static readonly Period RedAfter = Period.FromYears(2);

    /// <summary>Completed, withdrawn and carried-forward commitments are final: never overdue, no light.</summary>
    public static bool IsFinal(CommitmentStatus status) => CommitmentLifecycle.IsTerminal(status);

    /// <summary>The date of the latest sign of life: the latest progress report's as-of date, else the pledge date.</summary>
    public static LocalDate LastActivity(DashboardLine line) => line.LastReportOn ?? line.PledgedOn;

    /// <summary>Due before today and not final.</summary>
    public static bool IsOverdue(DashboardLine line, LocalDate today) =>
        !IsFinal(line.Status) && line.DueDate is { } due && due < today;

    public static TrafficLight LightFor(DashboardLine line, LocalDate today)
    {
        if (IsFinal(line.Status))
        {
            return TrafficLight.None;
        }

        var last = LastActivity(line);
        if (last <= today - RedAfter)
        {
            return TrafficLight.Red;
        }

        return IsOverdue(line, today) || last <= today - AmberAfter ? TrafficLight.Amber : TrafficLight.Green;
    }

    /// <summary>
    /// Waiting for a review decision: none was recorded, and the commitment was not withdrawn (a
    /// withdrawn commitment cannot be reviewed: the domain refuses it).
    /// </summary>
    public static bool NeedsReview(DashboardLine line) => !line.Reviewed && line.Status != CommitmentStatus.Withdrawn;

    /// <summary>Today as the dashboards count it: the clock's date in UTC.</summary>
    public static LocalDate Today(IClock clock) => clock.GetCurrentInstant().InUtc().Date;
}
