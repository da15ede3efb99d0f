using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments.Reporting;

/// <summary>A lead organization (or the secretariat) reports where a commitment stands.</summary>
public sealed record ReportProgress(
    CommitmentStatus Status,
    string Narrative,
    LocalDate AsOf,
    int? PercentComplete = null)
{
    public Decision Decide(Commitment current, Actor by, Instant now)
    {
        var v = new Validation()
            .Text(Narrative, "narrative", CommitmentRules.NarrativeMaxLength, multiline: true)
            .Require(PercentComplete is null or >= 0 and <= 100, "percentComplete", "must be between 0 and 100")
            .Require(AsOf <= now.InUtc().Date.PlusDays(1), "asOf", "cannot be in the future")
            .Require(Status != CommitmentStatus.Completed || PercentComplete is null or 100, "percentComplete",
                "a completed commitment is 100% complete");

        if (!Enum.IsDefined(Status))
        {
            v.Add("status", $"'{Status}' is not a known status");
        }
        else if (!CommitmentLifecycle.ReportableStatuses.Contains(Status))
        {
            v.Add("status", $"a progress report cannot set {CommitmentLifecycle.Describe(Status)}; "
                            + "withdrawal and carry-forward have their own requests");
        }
        else if (CommitmentLifecycle.IsTerminal(current.Status))
        {
            v.Add("status", $"the commitment is {CommitmentLifecycle.Describe(current.Status)}, which is final; it takes no more progress reports",
                RefusalKind.NotAllowed);
        }
        else if (Status != current.Status && CommitmentLifecycle.WhyNot(current.Status, Status) is { } why)
        {
            v.Add("status", why, RefusalKind.NotAllowed);
        }

        return v.Then(() => Decision.Accept(new ProgressReported(
            current.Code, Status, Narrative, PercentComplete, FactDate.Day(AsOf), null, by, now)));
    }
}
