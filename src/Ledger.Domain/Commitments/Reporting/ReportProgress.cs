using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments.Reporting;

/// <summary>
/// A lead organization (or the secretariat) reports where a commitment stands: its status, a narrative, and its
/// result indicators. A percentage complete may be given on its own (<see cref="PercentComplete"/>): it is recorded as
/// the completion indicator (<see cref="ProgressIndicators.FromPercentComplete"/>).
/// </summary>
public sealed record ReportProgress(
    CommitmentStatus Status,
    string Narrative,
    LocalDate AsOf,
    int? PercentComplete = null,
    IReadOnlyList<ProgressIndicator?>? Indicators = null)
{
    public Decision Decide(Commitment current, Actor by, Instant now)
    {
        var given = Indicators ?? [];
        var v = new Validation()
            .Text(Narrative, "narrative", CommitmentRules.NarrativeMaxLength, multiline: true)
            .Require(PercentComplete is null or >= 0 and <= 100, "percentComplete", "must be between 0 and 100")
            .Require(PercentComplete is null || !given.Any(i => i is not null && ProgressIndicators.IsCompletion(i)), "percentComplete",
                $"the report also has a '{ProgressIndicators.Completion}' indicator: give the completion once, in one of them")
            .Indicators(given)
            .Require(AsOf <= now.InUtc().Date.PlusDays(1), "asOf", "cannot be in the future");

        IReadOnlyList<ProgressIndicator> indicators = PercentComplete is { } percent
            ? [ProgressIndicators.FromPercentComplete(percent), .. given.OfType<ProgressIndicator>()]
            : [.. given.OfType<ProgressIndicator>()];
        if (Status == CommitmentStatus.Completed && ProgressIndicators.PercentComplete(indicators) is { } complete and not 100)
        {
            var completion = given.ToList().FindIndex(i => i is not null && ProgressIndicators.IsCompletion(i));
            v.Add(completion < 0 ? "percentComplete" : $"indicators[{completion}].actual", "a completed commitment is 100% complete");
        }

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
            current.Code, Status, Narrative, ProgressIndicators.Normalized(indicators), FactDate.Day(AsOf), null, by, now)));
    }
}
