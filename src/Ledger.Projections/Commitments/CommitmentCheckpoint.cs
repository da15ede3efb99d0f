using System.Globalization;
using JasperFx.Events;
using Marten;
using Ledger.Projections.Dashboards;
using Marten.Events.Projections;

namespace Ledger.Projections.Commitments;

/// <summary>
/// A commitment's read model as it stood at one version of its stream: where time travel starts its replay, so a
/// state as of an instant folds at most <see cref="Every"/> events whatever the stream's length. The stream's
/// versions are cut into runs of <see cref="Every"/> (1–50, 51–100, …); each run has one checkpoint, holding the
/// state after the last event of the run the projection has seen — the state at the run's end once the stream has
/// gone past it. A checkpoint is a pure function of its stream's first <see cref="Version"/> events, built by
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
/// The async projection that keeps the checkpoints: for each commitment stream in a page, the state before the
/// page's first event of the stream (its run's checkpoint, which the previous page left at exactly that version,
/// or else a fold of the stream's stored events up to there), then every event of the page folded in, and the
/// checkpoint of each run touched stored.
/// </summary>
public sealed class CommitmentCheckpointProjection : IProjection
{
    public const string Name = "commitment-checkpoints";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var streams = events
            .Where(e => e.StreamKey is not null && CommitmentReplay.Handles(e.Data))
            .GroupBy(e => e.StreamKey!, StringComparer.Ordinal)
            .Select(g => (Stream: g.Key, Events: g.OrderBy(e => e.Version).ToList()))
            .ToList();
        if (streams.Count == 0)
        {
            return;
        }

        var before = streams.Where(s => s.Events[0].Version > 1).Select(s => CommitmentCheckpoint.IdOf(s.Stream, s.Events[0].Version - 1)).ToArray();
        var known = before.Length == 0
            ? new Dictionary<string, CommitmentCheckpoint>(StringComparer.Ordinal)
            : (await operations.LoadManyAsync<CommitmentCheckpoint>(cancellation, before)).ToDictionary(c => c.Id, StringComparer.Ordinal);

        foreach (var (stream, streamEvents) in streams)
        {
            var first = streamEvents[0].Version;
            var state = new CheckpointState(null, null, DateTimeOffset.MinValue);
            if (first > 1)
            {
                state = known.GetValueOrDefault(CommitmentCheckpoint.IdOf(stream, first - 1)) is { } previous && previous.Version == first - 1
                    ? new CheckpointState(previous.View, previous.Line, previous.ReachedAt)
                    : await FoldStoredAsync(operations, stream, first - 1, cancellation);
            }

            operations.Store(Fold(stream, state, streamEvents).ToArray());
        }
    }

    /// <summary>A stream's state at some version: its read model, its dashboard line, the latest timestamp folded in.</summary>
    public sealed record CheckpointState(CommitmentView? View, DashboardLine? Line, DateTimeOffset Reached);

    /// <summary>
    /// The checkpoints after <paramref name="events"/> (in version order) folded into <paramref name="state"/>: the last
    /// state of each run the events touch, read model and dashboard line each by its own fold. The projection and the
    /// rebuild proof build checkpoints with this one function.
    /// </summary>
    public static IEnumerable<CommitmentCheckpoint> Fold(string stream, CheckpointState state, IEnumerable<IEvent> events)
    {
        var (view, line, reached) = state;
        var touched = new Dictionary<string, CommitmentCheckpoint>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            view = CommitmentReplay.Apply(view, e.Version, e.Data);
            line = DashboardLine.Fold(line, e.Data);
            reached = e.Timestamp > reached ? e.Timestamp : reached;
            if (view is not null)
            {
                var id = CommitmentCheckpoint.IdOf(stream, e.Version);
                touched[id] = new CommitmentCheckpoint { Id = id, Stream = stream, Version = e.Version, ReachedAt = reached, View = view, Line = line };
            }
        }

        return touched.Values;
    }

    /// <summary>The state at <paramref name="version"/> from the stream's stored events (when no checkpoint is at exactly that version yet).</summary>
    private static async Task<CheckpointState> FoldStoredAsync(IDocumentOperations operations, string stream, long version, CancellationToken ct)
    {
        var stored = await operations.Events.FetchStreamAsync(stream, version, token: ct);
        DashboardLine? line = null;
        foreach (var e in stored)
        {
            line = DashboardLine.Fold(line, e.Data);
        }

        return new CheckpointState(
            CommitmentReplay.Replay(stored.Select(e => (e.Version, e.Data))), line, stored.Count == 0 ? DateTimeOffset.MinValue : stored.Max(e => e.Timestamp));
    }
}
