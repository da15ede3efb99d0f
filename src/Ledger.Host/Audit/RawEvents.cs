using System.Runtime.CompilerServices;
using Ledger.Domain.Audit;
using Ledger.Host.Writing;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Marten;
using Npgsql;

namespace Ledger.Host.Audit;

/// <summary>
/// Reads the events table as stored, row by row in global order, streaming: what auditors export and
/// verify is the raw rows, never objects the application deserialized.
/// </summary>
public sealed class RawEvents(IDocumentStore store)
{
    private const string Columns =
        $"seq_id, stream_id, version, type, timestamp, data::text, headers ->> '{EventSealing.HashHeader}', user_name, correlation_id, causation_id, " +
        $"headers ->> '{RequestContext.CallerReferenceHeader}', headers ->> '{RequestContext.IdempotencyKeyHeader}'";

    public async IAsyncEnumerable<RawEvent> ReadAsync(long after = 0, long? limit = null, string? stream = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var sql = $"select {Columns} from {LedgerStore.Schema}.mt_events where seq_id > @after"
                  + (stream is null ? string.Empty : " and stream_id = @stream")
                  + " order by seq_id"
                  + (limit is null ? string.Empty : " limit @limit");
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("after", after);
        if (stream is not null)
        {
            command.Parameters.AddWithValue("stream", stream);
        }

        if (limit is { } l)
        {
            command.Parameters.AddWithValue("limit", l);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new RawEvent(
                StoredEventAt(reader),
                TextAt(reader, 7),
                TextAt(reader, 8),
                TextAt(reader, 9),
                TextAt(reader, 10),
                TextAt(reader, 11));
        }
    }

    /// <summary>
    /// The stored event in the first seven columns of <paramref name="reader"/>: seq_id, stream_id, version,
    /// type, timestamp, data as text and the hash header, in that order.
    /// </summary>
    public static StoredEvent StoredEventAt(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetString(3),
        new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc)),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6));

    private static string? TextAt(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    /// <summary>
    /// Every stream with the version the streams table says it has reached, as of <paramref name="view"/>'s snapshot:
    /// the same instant as the rows verification read there, so a write committed meanwhile is not taken for a removal.
    /// </summary>
    public static async Task<IReadOnlyList<(string Stream, long Version)>> StreamVersionsAsync(LedgerTreeView view, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(view);
        await using var command = view.Command($"select id, version from {LedgerStore.Schema}.mt_streams");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var streams = new List<(string, long)>();
        while (await reader.ReadAsync(ct))
        {
            streams.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return streams;
    }
}

/// <summary>
/// A stored event with the metadata auditors see next to it: who, the ledger's ids of the request that
/// caused it, and the labels its caller gave that request (its <c>X-Correlation-Id</c> and
/// <c>Idempotency-Key</c>, each meaningful only together with <see cref="User"/>).
/// </summary>
public sealed record RawEvent(
    StoredEvent Event, string? User, string? CorrelationId, string? CausationId, string? CallerReference, string? IdempotencyKey);
