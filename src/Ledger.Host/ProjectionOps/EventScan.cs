using System.Runtime.CompilerServices;
using JasperFx.Events;
using Ledger.Projections;
using Marten;
using Marten.Events;
using Marten.Internal.Sessions;
using NodaTime;

namespace Ledger.Host.ProjectionOps;

/// <summary>Which events a scan reads.</summary>
/// <param name="RecordedBy">Only events recorded at or before this instant (the stored timestamp is the event's RecordedAt).</param>
/// <param name="UpTo">Only events up to this sequence number.</param>
/// <param name="StreamPrefixes">Only streams whose key starts with one of these.</param>
public sealed record EventScope(Instant? RecordedBy = null, long? UpTo = null, IReadOnlyList<string>? StreamPrefixes = null);

/// <summary>What a scan saw besides the events it handed over: the last sequence in scope, in any stream.</summary>
public sealed class ScanPosition
{
    public long LastSequence { get; internal set; }
}

/// <summary>
/// One ordered scan of the events table for replays (a board as of an instant, a dashboard while its projection is
/// rebuilt, the rebuild proof), in one query, inside whatever snapshot the session's transaction holds. Each row is
/// turned into an event by the store's own event storage (<see cref="IEventStorage"/>): the same columns, type
/// mapping, serializer and upcasters as every other read of the store, so an upcaster registered in the store
/// applies to replays too. Rows that are not ledger events (Marten's tombstones) are skipped.
/// </summary>
public sealed class EventScan
{
    /// <summary>
    /// Scans through <paramref name="session"/>. With stream prefixes, rows of other streams are still read (without
    /// their bodies, and never turned into events), so <paramref name="position"/> learns the last sequence in scope
    /// from the same single scan.
    /// </summary>
    public async IAsyncEnumerable<IEvent> ReadAsync(
        IQuerySession session, EventScope scope, ScanPosition? position, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var storage = ((QuerySession)session).EventStorage();
        var fields = storage.SelectFields();
        var data = Array.FindIndex(fields, f => Column(f) == "data");
        var sequence = Array.FindIndex(fields, f => Column(f) == "seq_id");
        if (data < 0 || sequence < 0)
        {
            throw new InvalidOperationException($"The store's event columns ({string.Join(", ", fields)}) lack data or seq_id.");
        }

        await using var command = session.Connection!.CreateCommand();
        var where = new List<string>();
        if (scope.RecordedBy is { } instant)
        {
            where.Add("d.timestamp <= @recordedBy");
            command.Parameters.AddWithValue("recordedBy", instant.ToDateTimeOffset());
        }

        if (scope.UpTo is { } upTo)
        {
            where.Add("d.seq_id <= @upTo");
            command.Parameters.AddWithValue("upTo", upTo);
        }

        var columns = fields.Select(f => "d." + Column(f)).ToArray();
        if (scope.StreamPrefixes is { Count: > 0 } prefixes)
        {
            // starts_with: no LIKE wildcards to escape in a code.
            var inScope = string.Join(" or ", prefixes.Select((_, i) => $"starts_with(d.stream_id, @prefix{i})"));
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
                columns[data] = $"case when {inScope} then d.data end";
            }
        }

        command.CommandText =
            $"select {string.Join(", ", columns)} from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events as d"
            + (where.Count == 0 ? string.Empty : " where " + string.Join(" and ", where))
            + " order by d.seq_id";

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (position is not null)
            {
                position.LastSequence = reader.GetInt64(sequence);
            }

            if (reader.IsDBNull(data))
            {
                continue;
            }

            var e = ((Weasel.Storage.ISelector<IEvent>)storage).Resolve(reader);
            if (LedgerStore.EventTypeNames.ContainsKey(e.EventType))
            {
                yield return e;
            }
        }
    }

    /// <summary>
    /// The events of the streams whose key starts with one of <paramref name="prefixes"/>, recorded by
    /// <paramref name="recordedBy"/>, each stream's only after the version <paramref name="after"/> gives it (from the
    /// start for a stream it does not name), in sequence order: what is left to fold onto checkpoints. Each stream's
    /// events are found by the stream and version index, not by a scan of the whole table.
    /// </summary>
    public async IAsyncEnumerable<IEvent> ReadAfterAsync(
        IQuerySession session, IReadOnlyList<string> prefixes, Instant recordedBy, IReadOnlyDictionary<string, long> after,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var storage = ((QuerySession)session).EventStorage();
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var command = session.Connection!.CreateCommand();
        var inScope = string.Join(" or ", prefixes.Select((_, i) => $"starts_with(s.id, @prefix{i})"));
        for (var i = 0; i < prefixes.Count; i++)
        {
            command.Parameters.AddWithValue($"prefix{i}", prefixes[i]);
        }

        command.Parameters.AddWithValue("streams", after.Keys.ToArray());
        command.Parameters.AddWithValue("versions", after.Values.ToArray());
        command.Parameters.AddWithValue("recordedBy", recordedBy.ToDateTimeOffset());
        command.CommandText = $"""
            select {string.Join(", ", storage.SelectFields().Select(f => "d." + Column(f)))}
            from (select s.id as stream, coalesce(c.version, 0) as version
                  from {schema}.mt_streams s left join unnest(@streams, @versions) as c(stream, version) on c.stream = s.id
                  where {inScope}) w
            join {schema}.mt_events d on d.stream_id = w.stream and d.version > w.version
            where d.timestamp <= @recordedBy
            order by d.seq_id
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var e = ((Weasel.Storage.ISelector<IEvent>)storage).Resolve(reader);
            if (LedgerStore.EventTypeNames.ContainsKey(e.EventType))
            {
                yield return e;
            }
        }
    }

    /// <summary>The last sequence recorded by <paramref name="recordedBy"/>, in any stream (0 when none).</summary>
    public static async Task<long> LastSequenceAsync(IQuerySession session, Instant recordedBy, CancellationToken ct)
    {
        await using var command = session.Connection!.CreateCommand();
        command.CommandText =
            $"select seq_id from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events where timestamp <= @recordedBy order by seq_id desc limit 1";
        command.Parameters.AddWithValue("recordedBy", recordedBy.ToDateTimeOffset());
        return await command.ExecuteScalarAsync(ct) is long sequence ? sequence : 0;
    }

    /// <summary>A select field without its table alias ("d.seq_id" → "seq_id").</summary>
    private static string Column(string field) => field[(field.LastIndexOf('.') + 1)..].Trim();
}
