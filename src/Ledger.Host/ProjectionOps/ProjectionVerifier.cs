using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Projections;
using Ledger.Projections.Commitments;
using Ledger.Host.Telemetry;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Events.Aggregation;
using Marten.Linq.MatchesSql;
using Marten.Storage;
using NodaTime;
using Npgsql;
using SessionOptions = Marten.Services.SessionOptions;

namespace Ledger.Host.ProjectionOps;

/// <summary>One difference between a stored read model and its rebuild: which document, which field (a JSON path), both values.</summary>
public sealed record DocumentDifference(string Projection, string Document, string Field, string? Live, string? Rebuilt);

/// <summary>How one projection compared: at which position, how many documents on each side, how many differences.</summary>
public sealed record ProjectionCheck(string Name, string Lifecycle, long Position, int Live, int Rebuilt, int Differences);

public sealed record VerificationReport(
    bool Matches,
    long HighWaterMark,
    int Events,
    IReadOnlyList<ProjectionCheck> Projections,
    IReadOnlyList<DocumentDifference> Differences,
    long ElapsedMilliseconds,
    Instant CheckedAt);

/// <summary>
/// Proves the read models: rebuilds every projection into a side copy in memory, from the events, and
/// compares it document by document, field by field, with what is stored. The side copy is never
/// written, so verifying never disturbs the dashboards. Everything is read in one repeatable-read
/// snapshot: each projection is rebuilt from exactly the events up to the position it has reached,
/// so a projection that is merely behind is not reported as different.
/// <list type="bullet">
/// <item>the dashboards (composite and activity feed) through <see cref="DashboardReplay"/>, the code the daemon runs;</item>
/// <item>inline single-stream projections through Marten's own aggregation of each stream (<c>BuildAsync</c>).</item>
/// </list>
/// </summary>
public sealed class ProjectionVerifier(IDocumentStore store, ProjectionCatalog catalog, EventScan scan, IClock clock, LedgerMetrics metrics)
{
    private readonly Marten.ISerializer _serializer = store.Options.Serializer();

    /// <summary>At most this many differences are listed; the counts per projection stay exact.</summary>
    public const int MaxListed = 500;

    /// <summary>Documents compared per statement.</summary>
    private const int CompareSlice = 10_000;

    public async Task<VerificationReport> VerifyAsync(IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = store.Storage.Database.CreateConnection(ConnectionUsage.Read);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));

        var positions = await LedgerPositions.ReadAsync(session, ct);
        var hwm = positions.HighWaterMark;
        long PositionOf(string name) => positions.PositionOf(catalog.Find(name)?.Shard) ?? 0;
        var dashboards = PositionOf(DashboardProjections.LineName);
        var activity = PositionOf(DashboardProjections.ActivityName);
        var checkpoints = PositionOf(CommitmentCheckpointProjection.Name);

        // One ordered scan of the events: the dashboards' replay, the activity feed and each stream's events.
        progress?.Report($"reading events up to {hwm}");
        var replay = new DashboardReplay();
        var entries = new List<ActivityEntry>();
        var streams = new Dictionary<string, List<IEvent>>(StringComparer.Ordinal);
        var count = 0;
        await foreach (var e in scan.ReadAsync(session, new EventScope(UpTo: hwm), null, ct))
        {
            count++;
            if (e.Sequence <= dashboards)
            {
                replay.Apply(e);
            }

            if (e.Sequence <= activity)
            {
                entries.Add(ActivityEntry.From(e));
            }

            if (!streams.TryGetValue(e.StreamKey!, out var list))
            {
                streams[e.StreamKey!] = list = [];
            }

            list.Add(e);
            if (count % 5000 == 0)
            {
                progress?.Report($"read {count} events");
            }
        }

        progress?.Report($"read {count} events; rebuilding");
        // The checkpoints are folded on another thread while the rest is rebuilt and compared (they need neither the
        // session nor anything the others build); they are compared in their turn.
        var folded = Task.Run(() => (IReadOnlyDictionary<string, object>)Checkpoints(streams, checkpoints), ct);
        var snapshot = replay.Build();
        var rebuilt = new List<(string Name, string Lifecycle, long Position, Type Document, Task<IReadOnlyDictionary<string, object>> Documents)>
        {
            (DashboardProjections.LineName, Freshness.Async, dashboards, typeof(DashboardLine), Done(Objects(snapshot.Lines))),
            (DashboardProjections.BoardName, Freshness.Async, dashboards, typeof(MeetingBoard), Done(Objects(snapshot.Boards))),
            (DashboardProjections.PortfolioName, Freshness.Async, dashboards, typeof(OrganizationPortfolio), Done(Objects(snapshot.Portfolios))),
            (DashboardProjections.CoverageName, Freshness.Async, dashboards, typeof(CountryCoverage), Done(Objects(snapshot.Coverages))),
            (DashboardProjections.QueueName, Freshness.Async, dashboards, typeof(ReviewQueueView), Done(Objects(snapshot.ReviewQueues))),
            (DashboardProjections.ActivityName, Freshness.Async, activity, typeof(ActivityEntry),
                Done(entries.ToDictionary(a => a.Id.ToString(CultureInfo.InvariantCulture), a => (object)a, StringComparer.Ordinal))),
            (CommitmentCheckpointProjection.Name, Freshness.Async, checkpoints, typeof(CommitmentCheckpoint), folded),
        };

        var options = (StoreOptions)store.Options;
        foreach (var source in options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Inline))
        {
            if (InlineRebuild.For(source) is { } inline)
            {
                rebuilt.Add((source.Name, Freshness.Inline, hwm, inline.Document, Done(await inline.RebuildAsync(streams, session, ct))));
            }
        }

        var checks = new List<ProjectionCheck>();
        var differences = new List<DocumentDifference>();
        foreach (var (name, lifecycle, position, document, rebuilding) in rebuilt)
        {
            var documents = await rebuilding;
            progress?.Report($"comparing {name}");
            var found = await CompareAsync(transaction, name, document, documents, ct);
            checks.Add(new ProjectionCheck(name, lifecycle, position, found.Live, documents.Count, found.Differences.Count));
            differences.AddRange(found.Differences.Take(Math.Max(0, MaxListed - differences.Count)));
        }

        await transaction.RollbackAsync(ct);
        var matches = checks.All(c => c.Differences == 0);
        metrics.RecordRebuild(watch.Elapsed, matches);
        return new VerificationReport(matches, hwm, count, checks, differences, watch.ElapsedMilliseconds, clock.GetCurrentInstant());
    }

    /// <summary>
    /// Compares one projection's stored documents with its rebuild. PostgreSQL compares them first, as
    /// <c>jsonb</c> (member order and number spelling do not matter), in one statement; the few it
    /// finds different are read again as a reader gets them (Marten fills metadata members such as a
    /// version from their columns) and compared field by field.
    /// </summary>
    private async Task<(int Live, List<DocumentDifference> Differences)> CompareAsync(
        NpgsqlTransaction transaction, string name, Type document, IReadOnlyDictionary<string, object> documents, CancellationToken ct)
    {
        var connection = transaction.Connection!;
        var table = store.Options.Schema.For(document, true);

        int live;
        string idType;
        await using (var count = new NpgsqlCommand(
                         $"select (select count(*) from {table}), (select format_type(a.atttypid, a.atttypmod) from pg_attribute a where a.attrelid = @table::regclass and a.attname = 'id')",
                         connection))
        {
            count.Parameters.AddWithValue("table", table);
            await using var reader = await count.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            live = Convert.ToInt32(reader.GetInt64(0), CultureInfo.InvariantCulture);
            idType = reader.GetString(1);
        }

        // In slices, so a projection of a million documents never goes to the server as one parameter. Each slice's
        // ids are cast to the column's own type, so its documents are found through the primary key: a cast of the
        // column instead (d.id::text) would read the whole table once per slice, a time that grows with the square
        // of the projection's size. Each slice is serialized on another thread while PostgreSQL compares the one before.
        var suspects = new Dictionary<string, string?>(StringComparer.Ordinal);
        var slices = documents.Chunk(CompareSlice).ToList();
        var next = slices.Count == 0 ? null : Task.Run(() => Serialize(slices[0]), ct);
        for (var i = 0; i < slices.Count; i++)
        {
            var slice = await next!;
            var following = i + 1 < slices.Count ? slices[i + 1] : null;
            next = following is null ? null : Task.Run(() => Serialize(following), ct);
            await using var command = new NpgsqlCommand(
                $"""
                 select r.id, d.data::text
                 from unnest(@ids, @documents) as r(id, document)
                 left join {table} d on d.id = r.id::{idType}
                 where d.data is distinct from r.document::jsonb
                 """, connection);
            command.Parameters.AddWithValue("ids", slice.Ids);
            command.Parameters.AddWithValue("documents", slice.Json);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                suspects[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        // Stored documents the rebuild does not have: only worth a look when the table holds more documents than the
        // rebuild's ids found in it (ids are unique on both sides).
        var missing = suspects.Count(s => s.Value is null);
        if (live > documents.Count - missing)
        {
            await using var extra = new NpgsqlCommand(
                $"select d.id::text, d.data::text from {table} d where not exists (select 1 from unnest(@ids) as r(id) where r.id::{idType} = d.id)", connection);
            extra.Parameters.AddWithValue("ids", documents.Keys.ToArray());
            await using var reader = await extra.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                suspects[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var differences = new List<DocumentDifference>();
        if (suspects.Count == 0)
        {
            return (live, differences);
        }

        var stored = await AsReadAsync(transaction, document, [.. suspects.Where(s => s.Value is not null).Select(s => s.Key)], ct);
        foreach (var id in suspects.Keys.Order(StringComparer.Ordinal))
        {
            var liveJson = suspects[id] is null ? null : stored.GetValueOrDefault(id) ?? suspects[id];
            var rebuiltJson = documents.TryGetValue(id, out var rebuiltDocument) ? _serializer.ToJson(rebuiltDocument) : null;
            if (liveJson is not null && string.Equals(liveJson, rebuiltJson, StringComparison.Ordinal))
            {
                continue;
            }

            JsonDiff.Compare(name, id, liveJson is null ? null : JsonNode.Parse(liveJson), rebuiltJson is null ? null : JsonNode.Parse(rebuiltJson), differences);
        }

        return (live, differences);
    }

    private (string[] Ids, string[] Json) Serialize(KeyValuePair<string, object>[] slice) =>
        ([.. slice.Select(d => d.Key)], [.. slice.Select(d => _serializer.ToJson(d.Value))]);

    /// <summary>
    /// Documents as a reader gets them, serialized like the rebuild. One that no longer deserializes is
    /// left out (and compared as its raw JSON), so the damage is still located.
    /// </summary>
    private async Task<Dictionary<string, string>> AsReadAsync(NpgsqlTransaction transaction, Type document, string[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        var connection = transaction.Connection!;
        await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));
        var mapping = store.Options.FindOrResolveDocumentType(document);
        var read = typeof(ProjectionVerifier).GetMethod(nameof(TypedDocumentsAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(document);
        await using var savepoint = await SavepointAsync(connection, ct);
        try
        {
            return await (Task<Dictionary<string, string>>)read.Invoke(this, [session, mapping.IdMember, ids, ct])!;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await savepoint.RollbackAsync(ct);
            return [];
        }
    }

    private async Task<Dictionary<string, string>> TypedDocumentsAsync<TDoc>(
        IQuerySession session, System.Reflection.MemberInfo id, string[] ids, CancellationToken ct)
        where TDoc : notnull
    {
        var documents = await session.Query<TDoc>().Where(d => d.MatchesSql("d.id::text = any(?)", new object[] { ids })).ToListAsync(ct);
        return documents.ToDictionary(d => IdOf(d, id), d => _serializer.ToJson(d), StringComparer.Ordinal);
    }

    private static string IdOf(object document, System.Reflection.MemberInfo id) => Convert.ToString(
        id switch
        {
            System.Reflection.PropertyInfo property => property.GetValue(document),
            System.Reflection.FieldInfo field => field.GetValue(document),
            _ => throw new InvalidOperationException($"{document.GetType().Name} has no readable identity"),
        },
        CultureInfo.InvariantCulture)!;

    private static async Task<Savepoint> SavepointAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("savepoint verify_read", connection);
        await command.ExecuteNonQueryAsync(ct);
        return new Savepoint(connection);
    }

    /// <summary>Lets a failed typed read roll back to before it, so the snapshot transaction stays usable.</summary>
    private sealed class Savepoint(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async Task RollbackAsync(CancellationToken ct)
        {
            await using var command = new NpgsqlCommand("rollback to savepoint verify_read", connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await using var command = new NpgsqlCommand("release savepoint verify_read", connection);
            try
            {
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException)
            {
                // Already rolled back past it.
            }
        }
    }

    /// <summary>Every commitment stream's checkpoints, from its events up to <paramref name="position"/>, by the projection's own fold.</summary>
    private static Dictionary<string, object> Checkpoints(IReadOnlyDictionary<string, List<IEvent>> streams, long position)
    {
        var checkpoints = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (stream, events) in streams)
        {
            CommitmentCheckpointProjection.Fold(
                stream, CommitmentCheckpointProjection.Empty, events.Where(e => e.Sequence <= position), c => checkpoints.Add(c.Id, c));
        }

        return checkpoints;
    }

    private static Task<IReadOnlyDictionary<string, object>> Done(IReadOnlyDictionary<string, object> documents) => Task.FromResult(documents);

    private static Dictionary<string, object> Objects<T>(IReadOnlyDictionary<string, T> documents)
        where T : notnull =>
        documents.ToDictionary(d => d.Key, d => (object)d.Value, StringComparer.Ordinal);

    /// <summary>Rebuilds an inline single-stream projection's documents in memory with Marten's own aggregation code.</summary>
    private abstract class InlineRebuild
    {
        public abstract Type Document { get; }

        public abstract Task<IReadOnlyDictionary<string, object>> RebuildAsync(
            IReadOnlyDictionary<string, List<IEvent>> streams, IQuerySession session, CancellationToken ct);

        public static InlineRebuild? For(object source)
        {
            for (var type = source.GetType(); type is not null; type = type.BaseType)
            {
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(SingleStreamProjection<,>))
                {
                    var closed = typeof(InlineRebuild<,>).MakeGenericType(type.GetGenericArguments());
                    return (InlineRebuild?)Activator.CreateInstance(closed, source);
                }
            }

            return null;
        }
    }

    private sealed class InlineRebuild<TDoc, TId>(SingleStreamProjection<TDoc, TId> projection) : InlineRebuild
        where TDoc : notnull
        where TId : notnull
    {
        public override Type Document => typeof(TDoc);

        public override async Task<IReadOnlyDictionary<string, object>> RebuildAsync(
            IReadOnlyDictionary<string, List<IEvent>> streams, IQuerySession session, CancellationToken ct)
        {
            var handled = projection.AllEventTypes.ToHashSet();
            var documents = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (key, events) in streams)
            {
                var relevant = events.Where(e => handled.Contains(e.EventType)).ToList();
                if (relevant.Count == 0)
                {
                    continue;
                }

                if (await ((IAggregator<TDoc, IQuerySession>)projection).BuildAsync(relevant, session, default!, ct) is { } doc)
                {
                    documents[key] = projection.ApplyMetadata(doc, events[^1]);
                }
            }

            return documents;
        }
    }
}
