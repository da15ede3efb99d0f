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

    /// <summary>A select field without its table alias ("d.seq_id" → "seq_id").</summary>
    private static string Column(string field) => field[(field.LastIndexOf('.') + 1)..].Trim();
}
