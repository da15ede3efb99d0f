using System.Data;
using JasperFx.Events;
using Ledger.Domain.Common;
using Ledger.Host.ProjectionOps;
using Ledger.Projections.Dashboards;
using Ledger.Projections.Meetings;
using Ledger.Projections.Organizations;
using Marten;
using Marten.Storage;
using Microsoft.Extensions.Options;
using NodaTime;
using SessionOptions = Marten.Services.SessionOptions;

namespace Ledger.Host.Dashboards;

/// <summary>What a dashboard read found: the read model (or a replay), and how fresh it is.</summary>
public sealed record DashboardRead<T>(T Value, Freshness Freshness);

/// <summary>
/// Reads dashboards consistently. Every read runs in one repeatable-read transaction (rolled back: it only reads), so the
/// projection position it reports is exactly the one of the documents it returns (the daemon writes
/// both in one transaction). When a projection cannot answer, because it has no progression row (never
/// built, or being rebuilt: Marten clears the row and the documents first) or is more than
/// <see cref="ProjectionOpsOptions.ReplayWhenLagAbove"/> events behind, the answer is computed from the
/// events instead (<see cref="Freshness.Replay"/>): a rebuild never leaves a dashboard empty or wrong.
/// </summary>
public sealed class DashboardReads(
    IDocumentStore store, ProjectionCatalog catalog, EventScan scan, IClock clock, IOptions<ProjectionOpsOptions> options)
{
    public IClock Clock => clock;

    public LocalDate Today() => DashboardRules.Today(clock);

    public long ReplayWhenLagAbove => options.Value.ReplayWhenLagAbove;

    public string? ShardOf(string projection) => catalog.Find(projection)?.Shard;

    /// <summary>Whether the meeting is registered, from its inline read model (exact at once): unknown codes never cost a replay.</summary>
    public async Task<bool> MeetingExistsAsync(string meeting, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<MeetingView>(StreamKeys.Meeting(meeting), ct) is not null;
    }

    /// <summary>Whether the organization is registered, from its inline read model.</summary>
    public async Task<bool> OrganizationExistsAsync(string organization, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<OrganizationView>(StreamKeys.Organization(organization), ct) is not null;
    }

    public async Task<T> InSnapshotAsync<T>(Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection(ConnectionUsage.Read);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));
        var result = await read(session);
        await transaction.RollbackAsync(ct);
        return result;
    }

    /// <summary>
    /// The read model of <paramref name="projection"/> when it can answer (<paramref name="fromModel"/>
    /// returns null when it has nothing yet for what was asked), else a replay of all the events
    /// (<paramref name="fromReplay"/>), with the freshness of either.
    /// </summary>
    public Task<DashboardRead<T>> ReadAsync<T>(
        string projection,
        Func<IQuerySession, Task<T?>> fromModel,
        Func<DashboardSnapshot, T> fromReplay,
        CancellationToken ct)
        where T : class =>
        InSnapshotAsync(async session =>
        {
            var positions = await LedgerPositions.ReadAsync(session, ct);
            var now = clock.GetCurrentInstant();
            var position = positions.PositionOf(catalog.Find(projection)?.Shard);
            if (position is { } p && positions.HighWaterMark - p <= options.Value.ReplayWhenLagAbove
                && await fromModel(session) is { } answer)
            {
                return new DashboardRead<T>(answer, Freshness.Of(projection, Freshness.Async, p, positions.HighWaterMark, now));
            }

            var replay = await ReplayAsync(session, new ReplayScope(null, null), ct);
            return new DashboardRead<T>(
                fromReplay(replay.Build()), Freshness.Of(projection, Freshness.Replay, replay.Position, positions.HighWaterMark, now));
        }, ct);

    /// <summary>Which events a replay reads: up to an instant, and only one meeting's streams (plus the meetings' registrations).</summary>
    public sealed record ReplayScope(Instant? AsOf, string? Meeting);

    /// <summary>
    /// One ordered scan of the events in scope (<see cref="EventScan"/>), folded through the projections'
    /// own code. The replay's position is the last sequence in the whole ledger at or before the scope's instant.
    /// </summary>
    public async Task<DashboardReplay> ReplayAsync(IQuerySession session, ReplayScope scope, CancellationToken ct)
    {
        var replay = new DashboardReplay();

        // A commitment's code starts with its meeting's code; the meetings' own streams say which
        // sessions a meeting without its own takes from the meeting reviewing it.
        var prefixes = scope.Meeting is { } meeting ? new[] { meeting + "-", StreamKeys.Meeting(string.Empty) } : null;
        var position = new ScanPosition();
        await foreach (var e in scan.ReadAsync(session.Connection, new EventScope(scope.AsOf, null, prefixes), position, ct))
        {
            replay.Apply(e.Sequence, e.Stream, e.Data);
        }

        replay.ReachedPosition(position.LastSequence);
        return replay;
    }
}
