using Ledger.Domain.Common;
using Ledger.Host.ProjectionOps;
using Ledger.Host.Reading;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Host.Dashboards;

/// <summary>
/// Which events a replay reads: those recorded up to an instant (<see cref="AsOf"/>), only one meeting's streams (plus
/// the meetings' registrations), and of the commitments' events only those in force by an instant of business time
/// (<see cref="InForceBy"/>, <see cref="DashboardReplay"/>).
/// </summary>
public sealed record ReplayScope(Instant? AsOf, string? Meeting, Instant? InForceBy = null)
{
    /// <summary>Every event of the ledger: what a dashboard whose projection cannot answer is computed from.</summary>
    public static ReplayScope Everything { get; } = new(null, null);
}

/// <summary>
/// The events one repeatable-read snapshot sees, told apart from any other snapshot's: its high-water mark, how many
/// events it sees, and the id of the last one. The high-water mark alone is not enough: a transaction holding sequence
/// 103 may commit after one holding 104, so two snapshots can share the mark 104 and differ in 103. Snapshots taken one
/// after the other see growing sets of events (a committed event stays committed, none is deleted in service), so
/// the same mark and the same count mean the same events. The last event's id (never reused) tells a ledger apart
/// from another that reached the same mark and count after a maintenance reset or a restore from another backup.
/// </summary>
public readonly record struct LedgerState(long HighWaterMark, long Events, Guid Last)
{
    /// <summary>Reads the state through <paramref name="session"/>, inside the snapshot its transaction holds.</summary>
    public static async Task<LedgerState> ReadAsync(IQuerySession session, CancellationToken ct)
    {
        var events = $"{session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events";
        await using var command = session.Connection.CreateCommand();
        command.CommandText = $"select e.seq_id, e.id, (select count(*) from {events}) from {events} e order by e.seq_id desc limit 1";
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new LedgerState(reader.GetInt64(0), reader.GetInt64(2), reader.GetGuid(1))
            : new LedgerState(0, 0, Guid.Empty);
    }
}

/// <summary>A finished replay: the read models it built, the last sequence in its scope, and the ledger's high-water mark in its snapshot.</summary>
public sealed record SharedReplay(DashboardSnapshot Snapshot, long Position, long HighWaterMark);

/// <summary>
/// Single-flight replays: one scan of the events per scope and ledger state serves every caller that needs it.
/// A caller who has decided that it needs a replay (in its own snapshot) joins, in this order:
/// <list type="number">
/// <item>a replay of the same scope whose snapshot sees exactly the events the caller's does (same
/// <see cref="LedgerState"/>), running or finished: its answer is the caller's answer;</item>
/// <item>a replay of the same scope still waiting for its slot: its snapshot will be taken after the caller's, so it
/// sees at least everything the caller saw (every write acknowledged before), and is taken during the caller's
/// request — a later, equally correct answer, whose freshness says which position it is at;</item>
/// <item>otherwise a new replay, which waits for a slot of the <see cref="ReadLane.Replay"/> lane.</item>
/// </list>
/// A replay that finds, once it has its snapshot, that another replay of the same scope and state exists waits for
/// that one instead of scanning. Finished replays are kept only while they are the newest of their scope, at most
/// <see cref="Kept"/> of them, and serve only callers at exactly their state: a result is never given to a caller
/// whose snapshot saw more. A replay runs under its own deadline (<see cref="ReadOptions.Timeout"/>) and is cancelled,
/// database command included, when every caller waiting for it has gone.
/// </summary>
public sealed partial class SharedReplays(IDocumentStore store, EventScan scan, ReadBudget budget, ILogger<SharedReplays> logger)
{
    /// <summary>How many finished replays are kept at most (the newest of each scope).</summary>
    public const int Kept = 16;

    /// <summary>How long after a replay's deadline its statement times out on the server by itself.</summary>
    public static readonly TimeSpan ServerGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<ReplayScope, Flight> _waiting = [];
    private readonly Dictionary<(ReplayScope Scope, LedgerState State), Flight> _byState = [];
    private readonly List<Flight> _finished = [];
    private long _scans;

    /// <summary>How many scans of the events the replays have started since the host started.</summary>
    public long Scans => Interlocked.Read(ref _scans);

    /// <summary>
    /// A place in a replay for a caller that needs <paramref name="scope"/>, taken inside the caller's snapshot
    /// (<paramref name="session"/>): the caller's state is read only when no waiting replay can serve it. Dispose the
    /// ticket when done with it, answered or not.
    /// </summary>
    public async Task<Ticket> JoinAsync(ReplayScope scope, IQuerySession session, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(scope, out var waiting))
            {
                return Board(waiting);
            }
        }

        var state = await LedgerState.ReadAsync(session, ct);
        Flight flight;
        lock (_lock)
        {
            if (_byState.TryGetValue((scope, state), out var same) && !same.Abandoned)
            {
                return Board(same);
            }

            if (_waiting.TryGetValue(scope, out var waiting))
            {
                return Board(waiting);
            }

            flight = new Flight(scope, budget.Timeout);
            _waiting[scope] = flight;
            flight.Callers = 1;
        }

        _ = Task.Run(() => FlyAsync(flight), CancellationToken.None);
        return new Ticket(this, flight);
    }

    private Ticket Board(Flight flight)
    {
        flight.Callers++;
        return new Ticket(this, flight);
    }

    private void Leave(Flight flight)
    {
        lock (_lock)
        {
            flight.Callers--;
            if (flight.Callers > 0 || flight.Result.Task.IsCompleted || flight.Abandoned)
            {
                return;
            }

            // Nobody waits for it any more: stop it, and let the next caller start afresh.
            flight.Abandoned = true;
            Forget(flight);
        }

        // Outside the lock: cancelling sends the server a cancel request for the running command.
        flight.Cancel();
    }

    private async Task FlyAsync(Flight flight)
    {
        var token = flight.Cancellation.Token;
        try
        {
            using var slot = await budget.EnterAsync(ReadLane.Replay, token);
            lock (_lock)
            {
                // From here on the snapshot may be taken: callers arriving now are no longer before it.
                if (_waiting.GetValueOrDefault(flight.Scope) == flight)
                {
                    _waiting.Remove(flight.Scope);
                }
            }

            // The server gives up on its own a moment after the deadline, should the client's cancel request not reach it.
            var result = await ReadSnapshot.ReadAsync(
                store, session => ReplayInAsync(session, flight, token), token, flight.Remaining + ServerGrace);
            lock (_lock)
            {
                Finish(flight);
            }

            flight.Result.TrySetResult(result);
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                Forget(flight);
            }

            if (e is OperationCanceledException || (e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } && token.IsCancellationRequested))
            {
                flight.Result.TrySetCanceled(token.IsCancellationRequested ? token : CancellationToken.None);
            }
            else
            {
                flight.Result.TrySetException(e);
            }

            if (e is not (OperationCanceledException or ReadsBusyException) && !token.IsCancellationRequested)
            {
                Failed(e, flight.Scope);
            }
        }
        finally
        {
            flight.Dispose();
        }
    }

    private async Task<SharedReplay> ReplayInAsync(IQuerySession session, Flight flight, CancellationToken token)
    {
        var state = await LedgerState.ReadAsync(session, token);
        Flight? twin;
        lock (_lock)
        {
            flight.State = state;
            twin = _byState.GetValueOrDefault((flight.Scope, state));
            if (twin is null || twin.Abandoned)
            {
                twin = null;
                _byState[(flight.Scope, state)] = flight;
            }
        }

        if (twin is not null)
        {
            try
            {
                return await twin.Result.Task.WaitAsync(token);
            }
            catch (Exception) when (!token.IsCancellationRequested)
            {
                // The twin failed or was abandoned by its own callers: scan for ours.
                lock (_lock)
                {
                    _byState[(flight.Scope, state)] = flight;
                }
            }
        }

        Interlocked.Increment(ref _scans);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var replay = await ScanAsync(session, flight.Scope, token);
        var result = new SharedReplay(replay.Build(), replay.Position, state.HighWaterMark);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Replayed(flight.Scope, state.HighWaterMark, state.Events, replay.EventCount, elapsed.TotalMilliseconds);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replayed {Scope} at {HighWaterMark} ({Events} events in the snapshot): {Applied} applied in {Milliseconds} ms")]
    private partial void Replayed(ReplayScope scope, long highWaterMark, long events, int applied, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The replay of {Scope} failed")]
    private partial void Failed(Exception exception, ReplayScope scope);

    /// <summary>
    /// One ordered scan of the events in scope (<see cref="EventScan"/>), folded through the projections' own code.
    /// The replay's position is the last sequence in the whole ledger at or before the scope's instant.
    /// </summary>
    private async Task<DashboardReplay> ScanAsync(IQuerySession session, ReplayScope scope, CancellationToken ct)
    {
        if (scope is { Meeting: { } only, AsOf: { } instant, InForceBy: null })
        {
            return await FromCheckpointsAsync(session, only, instant, ct);
        }

        // Business time selects a stream's events out of their recorded order, so it cannot start from checkpoints.
        var replay = new DashboardReplay(scope.InForceBy);

        // A commitment's code starts with its meeting's code; the meetings' own streams say which
        // sessions a meeting without its own takes from the meeting reviewing it.
        var prefixes = scope.Meeting is { } meeting ? new[] { meeting + "-", StreamKeys.Meeting(string.Empty) } : null;
        var position = new ScanPosition();
        await foreach (var e in scan.ReadAsync(session, new EventScope(scope.AsOf, null, prefixes), position, ct))
        {
            replay.Apply(e);
        }

        replay.ReachedPosition(position.LastSequence);
        return replay;
    }

    /// <summary>
    /// A meeting's dashboards as of an instant, reading only what they need: each of the meeting's commitments starts
    /// from its latest checkpoint whose events were all recorded by the instant (<see cref="CommitmentCheckpoint.Line"/>,
    /// built by the same fold), and only the events recorded after that checkpoint and by the instant are read and
    /// applied — with the meetings' registrations, from their own streams. A checkpoint that is missing or behind only
    /// means more events to read. The replay's position is the last sequence recorded by the instant, in any stream.
    /// </summary>
    private async Task<DashboardReplay> FromCheckpointsAsync(IQuerySession session, string meeting, Instant instant, CancellationToken ct)
    {
        var replay = new DashboardReplay();
        var serializer = store.Options.Serializer();
        var after = new Dictionary<string, long>(StringComparer.Ordinal);
        var checkpoints = store.Options.Schema.For<CommitmentCheckpoint>(true);
        await using (var command = session.Connection!.CreateCommand())
        {
            command.CommandText = $"""
                select distinct on (d.data ->> 'stream') d.data ->> 'stream', (d.data ->> 'version')::bigint, d.data -> 'line'
                from {checkpoints} d
                where starts_with(d.id, @prefix) and (d.data ->> 'reachedAt')::timestamptz <= @recordedBy
                order by d.data ->> 'stream', (d.data ->> 'version')::bigint desc
                """;
            command.Parameters.AddWithValue("prefix", meeting + "-");
            command.Parameters.AddWithValue("recordedBy", instant.ToDateTimeOffset());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var stream = reader.GetString(0);
                after[stream] = reader.GetInt64(1);
                if (serializer.FromJson<DashboardLine>(reader, 2) is { } line)
                {
                    replay.Seed(stream, line);
                }
            }
        }

        await foreach (var e in scan.ReadAfterAsync(session, [meeting + "-", StreamKeys.Meeting(string.Empty)], instant, after, ct))
        {
            replay.Apply(e);
        }

        replay.ReachedPosition(await EventScan.LastSequenceAsync(session, instant, ct));
        return replay;
    }

    /// <summary>Keeps a finished replay while it is the newest of its scope, and at most <see cref="Kept"/> of them.</summary>
    private void Finish(Flight flight)
    {
        if (flight.State is not { } state || _byState.GetValueOrDefault((flight.Scope, state)) != flight)
        {
            return; // it served its callers from a twin, which is the one kept
        }

        foreach (var older in _finished.Where(f => f.Scope == flight.Scope).ToList())
        {
            _finished.Remove(older);
            Forget(older);
        }

        _finished.Add(flight);
        while (_finished.Count > Kept)
        {
            var oldest = _finished[0];
            _finished.RemoveAt(0);
            Forget(oldest);
        }
    }

    private void Forget(Flight flight)
    {
        if (_waiting.GetValueOrDefault(flight.Scope) == flight)
        {
            _waiting.Remove(flight.Scope);
        }

        if (flight.State is { } state && _byState.GetValueOrDefault((flight.Scope, state)) == flight)
        {
            _byState.Remove((flight.Scope, state));
        }
    }

    /// <summary>A caller's place in a replay.</summary>
    public sealed class Ticket : IDisposable
    {
        private readonly SharedReplays _owner;
        private readonly Flight _flight;
        private int _left;

        internal Ticket(SharedReplays owner, Flight flight)
        {
            _owner = owner;
            _flight = flight;
        }

        /// <summary>The replay's answer, or the caller's own cancellation (its deadline, or it went away).</summary>
        public Task<SharedReplay> WaitAsync(CancellationToken ct) => _flight.Result.Task.WaitAsync(ct);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                _owner.Leave(_flight);
            }
        }
    }

    /// <summary>One replay: waiting for a slot, running, or finished and kept.</summary>
    internal sealed class Flight : IDisposable
    {
        private readonly Lock _cancellationLock = new();
        private bool _disposed;

        private readonly long _deadline;

        public Flight(ReplayScope scope, TimeSpan deadline)
        {
            Scope = scope;
            Cancellation.CancelAfter(deadline);
            _deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        }

        /// <summary>What is left of its deadline (nothing once it has passed).</summary>
        public TimeSpan Remaining
        {
            get
            {
                var left = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), _deadline);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        public ReplayScope Scope { get; }

        /// <summary>The state its snapshot saw, once taken.</summary>
        public LedgerState? State { get; set; }

        public int Callers { get; set; }

        public bool Abandoned { get; set; }

        /// <summary>Its own deadline, and its callers' leaving: cancels its database command.</summary>
        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource<SharedReplay> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Cancel()
        {
            lock (_cancellationLock)
            {
                if (!_disposed)
                {
                    Cancellation.Cancel();
                }
            }
        }

        /// <summary>Once it has ended: its result stays, its deadline's timer goes.</summary>
        public void Dispose()
        {
            lock (_cancellationLock)
            {
                _disposed = true;
                Cancellation.Dispose();
            }
        }
    }
}
