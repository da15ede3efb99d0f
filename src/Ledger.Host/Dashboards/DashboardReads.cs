using Ledger.Domain.Common;
using Ledger.Host.ProjectionOps;
using Ledger.Host.Reading;
using Ledger.Projections.Dashboards;
using Ledger.Projections.Meetings;
using Ledger.Projections.Organizations;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Host.Dashboards;

/// <summary>What a dashboard read found: the read model (or a replay), and how fresh it is.</summary>
public sealed record DashboardRead<T>(T Value, Freshness Freshness);

/// <summary>
/// Reads dashboards consistently and within the read budget (<see cref="ReadBudget"/>). Every read runs in one
/// repeatable-read snapshot (<see cref="ReadSnapshot"/>), so the projection position it reports is exactly the one
/// of the documents it returns (the daemon writes both in one transaction). When a projection cannot answer, because
/// it has no progression row (never built, or being rebuilt: Marten clears the row and the documents first) or is
/// more than <see cref="ProjectionOpsOptions.ReplayWhenLagAbove"/> events behind, the answer is computed from the
/// events instead (<see cref="Freshness.Replay"/>): a rebuild never leaves a dashboard empty or wrong. Read-model
/// reads take the budget's <see cref="ReadLane.Model"/> lane; replays are shared (<see cref="SharedReplays"/>) and
/// take the <see cref="ReadLane.Replay"/> lane, so they never hold a read-model slot while they scan.
/// </summary>
public sealed class DashboardReads(
    IDocumentStore store, ProjectionCatalog catalog, SharedReplays replays, ReadBudget budget, IClock clock, IOptions<ProjectionOpsOptions> options)
{
    public IClock Clock => clock;

    public LocalDate Today() => DashboardRules.Today(clock);

    public long ReplayWhenLagAbove => options.Value.ReplayWhenLagAbove;

    public string? ShardOf(string projection) => catalog.Find(projection)?.Shard;

    /// <summary>Answers one dashboard request within the read budget: its answer, or a 503 problem when over budget or past its deadline.</summary>
    public Task<IResult> AnswerAsync(Func<CancellationToken, Task<IResult>> read, CancellationToken requestAborted) =>
        budget.AnswerAsync(read, requestAborted);

    /// <summary>The meeting as registered (its time zone among the rest), from its inline read model (exact at once), or null: unknown codes never cost a replay.</summary>
    public async Task<MeetingView?> MeetingAsync(string meeting, CancellationToken ct)
    {
        using var slot = await budget.EnterAsync(ReadLane.Model, ct);
        await using var session = store.QuerySession();
        return await session.LoadAsync<MeetingView>(StreamKeys.Meeting(meeting), ct);
    }

    /// <summary>Whether the organization is registered, from its inline read model.</summary>
    public async Task<bool> OrganizationExistsAsync(string organization, CancellationToken ct)
    {
        using var slot = await budget.EnterAsync(ReadLane.Model, ct);
        await using var session = store.QuerySession();
        return await session.LoadAsync<OrganizationView>(StreamKeys.Organization(organization), ct) is not null;
    }

    /// <summary>A read of the read models in one snapshot, in the <see cref="ReadLane.Model"/> lane.</summary>
    public async Task<T> InSnapshotAsync<T>(Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        using var slot = await budget.EnterAsync(ReadLane.Model, ct);
        return await ReadSnapshot.ReadAsync(store, read, ct);
    }

    /// <summary>
    /// The read model of <paramref name="projection"/> when it can answer (<paramref name="fromModel"/>
    /// returns null when it has nothing yet for what was asked), else a shared replay of all the events
    /// (<paramref name="fromReplay"/>), with the freshness of either. A dashboard on a business day (<paramref name="past"/>:
    /// a scope with <see cref="ReplayScope.InForceBy"/>) is always the shared replay of that scope: read models hold
    /// only the present.
    /// </summary>
    public async Task<DashboardRead<T>> ReadAsync<T>(
        string projection,
        Func<IQuerySession, Task<T?>> fromModel,
        Func<DashboardSnapshot, T> fromReplay,
        CancellationToken ct,
        ReplayScope? past = null)
        where T : class
    {
        if (past is not null)
        {
            var replayed = await ReplayAsync(past, ct);
            return new DashboardRead<T>(fromReplay(replayed.Snapshot), ReplayFreshness(projection, replayed));
        }

        SharedReplays.Ticket? ticket = null;
        try
        {
            var read = await InSnapshotAsync(async session =>
            {
                var positions = await LedgerPositions.ReadAsync(session, ct);
                var position = positions.PositionOf(catalog.Find(projection)?.Shard);
                if (position is { } p && positions.HighWaterMark - p <= options.Value.ReplayWhenLagAbove
                    && await fromModel(session) is { } answer)
                {
                    return new DashboardRead<T>(answer, Freshness.Of(projection, Freshness.Async, p, positions.HighWaterMark, clock.GetCurrentInstant()));
                }

                ticket = await replays.JoinAsync(ReplayScope.Everything, session, ct);
                return null;
            }, ct);
            if (read is not null)
            {
                return read;
            }

            // The snapshot and its read-model slot are given back before waiting for the replay.
            var replay = await ticket!.WaitAsync(ct);
            return new DashboardRead<T>(fromReplay(replay.Snapshot), ReplayFreshness(projection, replay));
        }
        finally
        {
            ticket?.Dispose();
        }
    }

    /// <summary>The freshness of an answer computed by <paramref name="replay"/>.</summary>
    public Freshness ReplayFreshness(string projection, SharedReplay replay) =>
        Freshness.Of(projection, Freshness.Replay, replay.Position, replay.HighWaterMark, clock.GetCurrentInstant());

    /// <summary>A shared replay of <paramref name="scope"/> that reflects at least every event recorded before this call.</summary>
    public async Task<SharedReplay> ReplayAsync(ReplayScope scope, CancellationToken ct)
    {
        SharedReplays.Ticket? ticket = null;
        try
        {
            await InSnapshotAsync(async session => ticket = await replays.JoinAsync(scope, session, ct), ct);
            return await ticket!.WaitAsync(ct);
        }
        finally
        {
            ticket?.Dispose();
        }
    }
}
