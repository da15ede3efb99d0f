using System.Collections.Concurrent;
using System.Globalization;
using JasperFx.Events;
using Marten;
using Ledger.Projections.Dashboards;
using Marten.Events.Projections;

namespace Ledger.Projections.Commitments;

/// <summary>
/// A commitment's read model as it stood at one version of its stream: where time travel starts its replay, so a
/// state as of an instant folds fewer than <see cref="Every"/> events whatever the stream's length. The stream's
/// versions are cut into runs of <see cref="Every"/> (1–50, 51–100, …); a run has one checkpoint, the state at its
/// last version, stored once the stream holds that version (a run still filling has none: the replay reads its
/// events). A checkpoint is a pure function of its stream's first <see cref="Version"/> events, built by
/// <see cref="CommitmentReplay"/> (the fold time travel and the live read model share), so it can lag, be
/// rebuilt or be missing without changing any answer: only how far back a replay must start.
/// </summary>
public sealed record CommitmentCheckpoint
{
    /// <summary>Versions per run: a checkpoint at least every this many events of a stream.</summary>
    public const int Every = 50;

    /// <summary><see cref="IdOf"/>: the stream's key, <c>@</c> and the run's number, zero-padded so ids sort by run.</summary>
    public required string Id { get; init; }

    public required string Stream { get; init; }

    /// <summary>The version of the last event folded in.</summary>
    public long Version { get; init; }

    /// <summary>The latest stored timestamp among the events folded in: the checkpoint serves any instant from this one on.</summary>
    public DateTimeOffset ReachedAt { get; init; }

    public required CommitmentView View { get; init; }

    /// <summary>The commitment's dashboard line at the same version (null while its stream has no pledge): where a board as of an instant starts.</summary>
    public DashboardLine? Line { get; init; }

    public static string IdOf(string stream, long version) =>
        string.Create(CultureInfo.InvariantCulture, $"{stream}@{(version - 1) / Every:D7}");

    /// <summary>The smallest and largest ids a stream's checkpoints can have (for a range scan of the primary key).</summary>
    public static (string From, string To) IdRange(string stream) => (stream + "@", stream + "@9999999");
}

/// <summary>
/// The async projection that keeps the checkpoints. For each commitment stream in a page it needs the state before
/// the page's first event of the stream: the state it folded at the end of the previous page, kept in memory while
/// it runs (the daemon hands it a stream's events in order, so that is almost always the one), or else the last
/// run's checkpoint and the stored events after it. It folds the page's events in and stores the checkpoint of
/// every run the page completes: one document per <see cref="CommitmentCheckpoint.Every"/> events, whatever the
/// page size, instead of rewriting a run's state on each page that touches it.
/// </summary>
public sealed class CommitmentCheckpointProjection : IProjection
{
    public const string Name = "commitment-checkpoints";

    /// <summary>How many streams' states are kept between pages; beyond it the keeping starts afresh.</summary>
    public const int KeptStreams = 50_000;

    /// <summary>Each stream's state after the last page that held its events, and that page's last version of the stream.</summary>
    private readonly ConcurrentDictionary<string, (long Version, CheckpointState State)> _kept = new(StringComparer.Ordinal);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var streams = events
            .Where(e => e.StreamKey is not null)
            .GroupBy(e => e.StreamKey!, StringComparer.Ordinal)
            .Where(g => g.Any(e => CommitmentReplay.Handles(e.Data)))
            .Select(g => (Stream: g.Key, Events: g.OrderBy(e => e.Version).ToList()))
            .ToList();
        if (streams.Count == 0)
        {
            return;
        }

        if (_kept.Count >= KeptStreams)
        {
            _kept.Clear();
        }

        // Each stream's state before the page: kept, the empty state before its first event, or (null) to be read
        // from storage, starting from its last completed run's checkpoint, which one query loads for all of them.
        CheckpointState? Kept(string stream, long before) =>
            before == 0 ? Empty : _kept.TryGetValue(stream, out var kept) && kept.Version == before ? kept.State : null;
        var starts = streams
            .Select(s => (s.Stream, s.Events, Before: s.Events[0].Version - 1, State: Kept(s.Stream, s.Events[0].Version - 1)))
            .ToList();
        var runs = starts.Where(s => s.State is null && s.Before >= CommitmentCheckpoint.Every)
            .Select(s => CommitmentCheckpoint.IdOf(s.Stream, LastCompleted(s.Before))).ToArray();
        var known = runs.Length == 0
            ? new Dictionary<string, CommitmentCheckpoint>(StringComparer.Ordinal)
            : (await operations.LoadManyAsync<CommitmentCheckpoint>(cancellation, runs)).ToDictionary(c => c.Id, StringComparer.Ordinal);

        var completed = new List<CommitmentCheckpoint>();
        foreach (var (stream, streamEvents, before, start) in starts)
        {
            var state = start ?? await FoldStoredAsync(operations, stream, before, known, cancellation);
            _kept[stream] = (streamEvents[^1].Version, Fold(stream, state, streamEvents, completed.Add));
        }

        if (completed.Count > 0)
        {
            operations.Store(completed.ToArray());
        }
    }

    /// <summary>A stream's state at some version: its read model, its dashboard line, the latest timestamp folded in.</summary>
    public sealed record CheckpointState(CommitmentView? View, DashboardLine? Line, DateTimeOffset Reached);

    /// <summary>The state before a stream's first event.</summary>
    public static CheckpointState Empty { get; } = new(null, null, DateTimeOffset.MinValue);

    /// <summary>
    /// Folds <paramref name="events"/> (one stream's, in version order) into <paramref name="state"/>, read model and
    /// dashboard line each by its own fold, and hands <paramref name="completed"/> the checkpoint of each run whose
    /// last version is among them (with a read model by then); returns the state after the last event. The projection
    /// and the rebuild proof build checkpoints with this one function.
    /// </summary>
    public static CheckpointState Fold(string stream, CheckpointState state, IEnumerable<IEvent> events, Action<CommitmentCheckpoint> completed)
    {
        var (view, line, reached) = state;
        foreach (var e in events)
        {
            view = CommitmentReplay.Apply(view, e.Version, e.Data);
            line = DashboardLine.Fold(line, e.Data);
            reached = e.Timestamp > reached ? e.Timestamp : reached;
            if (view is not null && e.Version % CommitmentCheckpoint.Every == 0)
            {
                completed(new CommitmentCheckpoint
                {
                    Id = CommitmentCheckpoint.IdOf(stream, e.Version), Stream = stream, Version = e.Version, ReachedAt = reached, View = view, Line = line,
                });
            }
        }

        return new CheckpointState(view, line, reached);
    }

    /// <summary>The last version of the last run completed by <paramref name="version"/>.</summary>
    private static long LastCompleted(long version) => version / CommitmentCheckpoint.Every * CommitmentCheckpoint.Every;

    /// <summary>
    /// The state at <paramref name="version"/> from storage: the checkpoint of the last run completed by then (when
    /// <paramref name="known"/> holds it) and the stored events after it, or else every stored event up to there.
    /// </summary>
    private static async Task<CheckpointState> FoldStoredAsync(
        IDocumentOperations operations, string stream, long version, Dictionary<string, CommitmentCheckpoint> known, CancellationToken ct)
    {
        var start = version >= CommitmentCheckpoint.Every
                    && known.GetValueOrDefault(CommitmentCheckpoint.IdOf(stream, LastCompleted(version))) is { } checkpoint
                    && checkpoint.Version == LastCompleted(version)
            ? checkpoint
            : null;
        var state = start is null ? Empty : new CheckpointState(start.View, start.Line, start.ReachedAt);
        if (start?.Version == version)
        {
            return state;
        }

        var stored = await operations.Events.FetchStreamAsync(stream, version, fromVersion: (start?.Version ?? 0) + 1, token: ct);
        return Fold(stream, state, stored, _ => { });
    }
}
