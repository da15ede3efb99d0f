using System.Globalization;
using JasperFx.Events;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using Marten;
using Marten.Events.Projections;
using NodaTime;

namespace Ledger.Projections.Dashboards;

/// <summary>
/// One change in the ledger, as the activity feed shows it: who, what, when. <see cref="Id"/> is the
/// event's global sequence number, so the feed pages by sequence and a rebuild writes the same ids.
/// </summary>
public sealed record ActivityEntry
{
    public long Id { get; init; }

    public required string Stream { get; init; }

    /// <summary>The commitment code when the event belongs to a commitment's stream.</summary>
    public string? Commitment { get; init; }

    /// <summary>The event's stable type name (<c>review-decision-recorded</c>).</summary>
    public required string Type { get; init; }

    /// <summary>A sentence a person can read.</summary>
    public required string Summary { get; init; }

    public string? User { get; init; }

    public string? Organization { get; init; }

    public Instant RecordedAt { get; init; }

    public static ActivityEntry From(IEvent e)
    {
        var recorded = e.Data as ILedgerEvent;
        return new ActivityEntry
        {
            Id = e.Sequence,
            Stream = e.StreamKey ?? e.StreamId.ToString(),
            Commitment = CommitmentOf(e.Data),
            Type = LedgerStore.EventTypeNames.TryGetValue(e.EventType, out var name) ? name : e.EventTypeName,
            Summary = Summarize(e.Data),
            User = recorded?.RecordedBy.User ?? e.UserName,
            Organization = recorded?.RecordedBy.Organization,
            RecordedAt = recorded?.RecordedAt ?? Instant.FromDateTimeOffset(e.Timestamp),
        };
    }

    private static string? CommitmentOf(object data) => data switch
    {
        CommitmentPledged e => e.Code,
        CommitmentAmended e => e.Code,
        ProgressReported e => e.Code,
        ReviewDecisionRecorded e => e.Code,
        CommitmentWithdrawn e => e.Code,
        CommitmentCarriedForward e => e.Code,
        _ => null,
    };

    /// <summary>The human sentence for an event; plain text, English, no markup.</summary>
    public static string Summarize(object data) => data switch
    {
        CommitmentPledged e => Invariant($"{e.Code} pledged at {e.Meeting} as {Describe(e.Status)}: {e.Title}"),
        CommitmentAmended e => Invariant($"{e.Code} amended: {e.Reason}"),
        ProgressReported e => Invariant($"{e.Code} reported {Describe(e.Status)} as of {e.AsOf}{Indicators(e.Indicators)}"),
        ReviewDecisionRecorded e => Invariant(
            $"{e.Code} reviewed at {e.Meeting}: {ApiNames.Of(e.Rating)}, decision {ApiNames.Of(e.Decision)}"),
        CommitmentWithdrawn e => Invariant($"{e.Code} withdrawn: {e.Reason}"),
        CommitmentCarriedForward e => Invariant($"{e.Code} carried forward to {e.ToMeeting}"),
        MeetingRegistered e => Invariant($"Meeting {e.Code} registered: {e.Title}, {e.City}"),
        OrganizationRegistered e => Invariant($"Organization {e.Code} registered: {e.Name}"),
        FrameworkRegistered e => Invariant($"Framework {e.Code} registered: {e.Name}"),
        _ => Invariant($"{data.GetType().Name} recorded"),
    };

    private static string Describe(CommitmentStatus status) => CommitmentLifecycle.Describe(status);

    /// <summary>" (35% complete; people trained: 120, target 500)": the completion first, then each other indicator.</summary>
    private static string Indicators(IReadOnlyList<ProgressIndicator> indicators)
    {
        var parts = new List<string>();
        if (ProgressIndicators.PercentComplete(indicators) is { } percent)
        {
            parts.Add(Invariant($"{percent}% complete"));
        }

        foreach (var i in indicators.Where(i => !ProgressIndicators.IsCompletion(i)))
        {
            parts.Add(i.Actual is { } actual
                ? Invariant($"{i.Name}: {actual}{(i.Measure == IndicatorMeasure.Percentage ? "%" : "")}{(i.Target is { } target ? Invariant($", target {target}") : "")}")
                : Invariant($"{i.Name}: {ApiNames.Of(i.Measure)}"));
        }

        return parts.Count == 0 ? string.Empty : " (" + string.Join("; ", parts) + ")";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The activity feed: one entry per event of the ledger, in its own async shard.</summary>
public sealed partial class ActivityFeedProjection : EventProjection
{
    public ActivityFeedProjection()
    {
        Name = DashboardProjections.ActivityName;
        foreach (var type in LedgerStore.EventTypeNames.Keys)
        {
            IncludeType(type);
        }

        // The entries are written by explicit code, so say which documents a rebuild clears first.
        Options.DeleteViewTypeOnTeardown<ActivityEntry>();
    }

    /// <summary>One new entry per event: an insert (each event is projected once), which a rebuild can bulk-copy.</summary>
    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        operations.Insert(ActivityEntry.From(e));
        return ValueTask.CompletedTask;
    }
}
