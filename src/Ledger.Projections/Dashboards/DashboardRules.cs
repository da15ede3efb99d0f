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
    public static bool IsOverdue(DashboardLine line, LocalDate today) => IsOverdue(line.Status, line.DueDate, today);

    public static bool IsOverdue(CommitmentStatus status, LocalDate? due, LocalDate today) => !IsFinal(status) && IsPastDue(due, today);

    /// <summary>A due date before today.</summary>
    public static bool IsPastDue(LocalDate? due, LocalDate today) => due is { } d && d < today;

    public static TrafficLight LightFor(DashboardLine line, LocalDate today) => LightFor(line.Status, line.DueDate, LastActivity(line), today);

    /// <summary>The light of a commitment with this status, due date and last activity, on <paramref name="today"/>.</summary>
    public static TrafficLight LightFor(CommitmentStatus status, LocalDate? due, LocalDate lastActivity, LocalDate today) =>
        IsFinal(status) ? TrafficLight.None : OpenLight(due, lastActivity, today);

    /// <summary>The light of a commitment that is not final, from its due date and last activity.</summary>
    public static TrafficLight OpenLight(LocalDate? due, LocalDate lastActivity, LocalDate today) =>
        lastActivity <= today - RedAfter ? TrafficLight.Red
        : IsPastDue(due, today) || lastActivity <= today - AmberAfter ? TrafficLight.Amber
        : TrafficLight.Green;

    /// <summary>
    /// Waiting for a review decision: none was recorded, and the commitment was not withdrawn (a
    /// withdrawn commitment cannot be reviewed: the domain refuses it).
    /// </summary>
    public static bool NeedsReview(DashboardLine line) => !line.Reviewed && line.Status != CommitmentStatus.Withdrawn;

    /// <summary>
    /// <see cref="NeedsReview"/> as SQL over a stored <see cref="DashboardLine"/>'s JSON (<paramref name="data"/>), for
    /// queries and the BI views: the same rule, its status taken from the enum.
    /// </summary>
    public static string NeedsReviewSql(string data) =>
        $"(not coalesce(({data} ->> 'reviewed')::boolean, false) and {data} ->> 'status' <> '{CommitmentStatus.Withdrawn}')";

    /// <summary>Today as the dashboards count it: the clock's date in UTC.</summary>
    public static LocalDate Today(IClock clock) => clock.GetCurrentInstant().InUtc().Date;
}
