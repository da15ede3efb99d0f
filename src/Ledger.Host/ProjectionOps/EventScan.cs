using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using JasperFx.Events;
using Ledger.Projections;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Host.ProjectionOps;

/// <summary>Which events a scan reads.</summary>
/// <param name="RecordedBy">Only events recorded at or before this instant (the stored timestamp is the event's RecordedAt).</param>
/// <param name="UpTo">Only events up to this sequence number.</param>
/// <param name="StreamPrefixes">Only streams whose key starts with one of these.</param>
public sealed record EventScope(Instant? RecordedBy = null, long? UpTo = null, IReadOnlyList<string>? StreamPrefixes = null);

/// <summary>An event as a scan reads it: enough for the dashboards' replay, wrapped as Marten's <see cref="IEvent"/> only on demand.</summary>
public readonly record struct ScannedEvent(
    long Sequence, string Stream, long Version, string TypeName, object Data, DateTimeOffset Timestamp, string? User)
{
    private static readonly ConcurrentDictionary<Type, Func<object, IEvent>> Wrappers = new();

    /// <summary>The event as Marten's projections take it.</summary>
    public IEvent ToEvent()
    {
        var e = Wrappers.GetOrAdd(Data.GetType(), Wrapper)(Data);
        e.Sequence = Sequence;
        e.StreamKey = Stream;
        e.Version = Version;
        e.EventTypeName = TypeName;
        e.Timestamp = Timestamp;
        e.UserName = User;
        return e;
    }

    /// <summary>A compiled <c>data => new Event&lt;T&gt;((T)data)</c> per event type.</summary>
    private static Func<object, IEvent> Wrapper(Type type)
    {
        var data = System.Linq.Expressions.Expression.Parameter(typeof(object), "data");
        var constructor = typeof(Event<>).MakeGenericType(type).GetConstructor([type])!;
        var body = System.Linq.Expressions.Expression.Convert(
            System.Linq.Expressions.Expression.New(constructor, System.Linq.Expressions.Expression.Convert(data, type)), typeof(IEvent));
        return System.Linq.Expressions.Expression.Lambda<Func<object, IEvent>>(body, data).Compile();
    }
}

/// <summary>What a scan saw besides the events it handed over: the last sequence in scope, in any stream.</summary>
public sealed class ScanPosition
{
    public long LastSequence { get; internal set; }
}

/// <summary>
/// One ordered scan of the events table for replays (a board as of an instant, a dashboard while its
/// projection is rebuilt, the rebuild proof). It reads the rows with a single query and deserializes
/// the event bodies with the store's own serializer, in batches on the thread pool while the next rows
/// arrive, then hands the events over in sequence order. Event types are resolved by the ledger's
/// stable names (<see cref="LedgerStore.EventTypeNames"/>); rows of other types (Marten's tombstones)
/// are skipped. If an event type ever gets an upcaster, its old name must be mapped here too — and the
/// rebuild proof, which compares these replays with Marten's own projections, would show it at once.
/// </summary>
public sealed class EventScan(IDocumentStore store)
{
    private static readonly Dictionary<string, Type> Types =
        LedgerStore.EventTypeNames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    private readonly Marten.ISerializer _serializer = store.Options.Serializer();

    /// <summary>Scans on its own connection.</summary>
    public async IAsyncEnumerable<ScannedEvent> ReadAsync(EventScope scope, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection(Marten.Storage.ConnectionUsage.Read);
        await connection.OpenAsync(ct);
        await foreach (var e in ReadAsync(connection, scope, null, ct))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Scans on <paramref name="connection"/>, inside whatever transaction (snapshot) it has open. With stream
    /// prefixes, rows of other streams are still read (without their bodies), so <paramref name="position"/>
    /// learns the last sequence in scope from the same single scan.
    /// </summary>
    public async IAsyncEnumerable<ScannedEvent> ReadAsync(
        NpgsqlConnection connection, EventScope scope, ScanPosition? position, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (scope.RecordedBy is { } instant)
        {
            where.Add("timestamp <= @recordedBy");
            command.Parameters.AddWithValue("recordedBy", instant.ToDateTimeOffset());
        }

        if (scope.UpTo is { } upTo)
        {
            where.Add("seq_id <= @upTo");
            command.Parameters.AddWithValue("upTo", upTo);
        }

        var data = "data";
        if (scope.StreamPrefixes is { Count: > 0 } prefixes)
        {
            // starts_with: no LIKE wildcards to escape in a code.
            var inScope = string.Join(" or ", prefixes.Select((_, i) => $"starts_with(stream_id, @prefix{i})"));
            for (var i = 0; i < prefixes.Count; i++)
            {
                command.Parameters.AddWithValue($"prefix{i}", prefixes[i]);
            }

            if (position is null)
            {
                where.Add("(" + inScope + ")");
            }
            else
            {
                data = $"case when {inScope} then data end";
            }
        }

        command.CommandText =
            $"select seq_id, stream_id, version, type, timestamp, user_name, {data} from {store.Options.Events.DatabaseSchemaName}.mt_events"
            + (where.Count == 0 ? string.Empty : " where " + string.Join(" and ", where))
            + " order by seq_id";

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            if (position is not null)
            {
                position.LastSequence = sequence;
            }

            if (reader.IsDBNull(6) || !Types.TryGetValue(reader.GetString(3), out var type))
            {
                continue;
            }

            yield return new ScannedEvent(
                sequence,
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetString(3),
                _serializer.FromJson(type, reader, 6),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5));
        }
    }

}
