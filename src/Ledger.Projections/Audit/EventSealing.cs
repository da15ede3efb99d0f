using System.Globalization;
using System.Runtime.CompilerServices;
using JasperFx.Events;
using Ledger.Domain.Audit;
using Ledger.Domain.Common;
using Marten;
using Marten.Services.BatchQuerying;

namespace Ledger.Projections.Audit;

/// <summary>
/// Seals every ledger event just before it is stored, in the same transaction:
/// <list type="bullet">
/// <item>the stored timestamp and user name become what the event records of itself
/// (<see cref="ILedgerEvent.RecordedAt"/> from the ledger's clock, to the microsecond the database
/// keeps, and <see cref="ILedgerEvent.RecordedBy"/>), so as-of queries use the indexed timestamp
/// column and stay deterministic under a fake clock;</item>
/// <item>the event gets its link in its stream's hash chain (<see cref="EventHash"/>), kept in the
/// <c>hash</c> header, computed from the previous event's hash and the event's canonical JSON.</item>
/// </list>
/// The previous link is the stream's last stored event (its version and <c>hash</c> header), read from the
/// events table itself: by a query of its own, or, where the writer already reads the stream
/// (<see cref="ReadLastLink"/>), in that same round trip.
/// Two writers on one stream cannot both chain onto the same previous event: the stream version
/// check refuses one of them.
/// </summary>
public sealed class EventSealing : DocumentSessionListenerBase
{
    public const string HashHeader = "hash";

    private const string LastLinkSql =
        $"select version::text || ' ' || coalesce(headers ->> '{HashHeader}', '') from {LedgerStore.Schema}.mt_events where stream_id = ? order by version desc limit 1";

    /// <summary>Last links read ahead for a session's streams, until it saves.</summary>
    private static readonly ConditionalWeakTable<IDocumentSession, Dictionary<string, Task<IReadOnlyList<string>>>> ReadAhead = new();

    /// <summary>
    /// Reads <paramref name="stream"/>'s last link in <paramref name="batch"/> (the batch the writer fetches the
    /// stream in), for <paramref name="session"/>'s next save: the same query, without a round trip of its own.
    /// </summary>
    public static void ReadLastLink(IDocumentSession session, IBatchedQuery batch, string stream)
    {
        var links = ReadAhead.GetOrCreateValue(session);
        lock (links)
        {
            links[stream] = batch.Query<string>(LastLinkSql, stream);
        }
    }

    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var stream in session.PendingChanges.Streams())
        {
            if (stream.Key is not { } key || !stream.Events.Any(e => e.Data is ILedgerEvent))
            {
                continue;
            }

            var (version, previous) = stream.ActionType == StreamActionType.Start
                ? (0L, EventHash.Genesis)
                : await LastLinkAsync(session, key, token);

            foreach (var e in stream.Events)
            {
                version++;
                if (e.Data is not ILedgerEvent recorded)
                {
                    continue;
                }

                var seal = Seal(previous, key, version, recorded, serializer.ToJson(recorded));
                e.Timestamp = seal.Timestamp;
                e.UserName = seal.User;
                e.SetHeader(HashHeader, seal.Hash);
                previous = seal.Hash;
            }
        }
    }

    /// <summary>
    /// How <paramref name="recorded"/>, stored as <paramref name="json"/> at <paramref name="version"/> of
    /// <paramref name="stream"/> after the link <paramref name="previous"/>, is sealed: its stored name, timestamp and
    /// user, and its link in the chain. Every writer of ledger events seals them with this, and only this.
    /// </summary>
    public static EventSeal Seal(string previous, string stream, long version, object recorded, string json)
    {
        if (recorded is not ILedgerEvent e)
        {
            throw new ArgumentException($"{recorded.GetType().Name} is not a ledger event.", nameof(recorded));
        }

        var type = LedgerStore.EventTypeNames[recorded.GetType()];
        var timestamp = EventHash.ToStoredPrecision(e.RecordedAt.ToDateTimeOffset());
        return new EventSeal(type, timestamp, e.RecordedBy.User, EventHash.ComputeFromStoredData(previous, stream, version, type, timestamp, json));
    }

    private static async Task<(long Version, string Hash)> LastLinkAsync(IDocumentSession session, string stream, CancellationToken token)
    {
        Task<IReadOnlyList<string>>? readAhead = null;
        if (ReadAhead.TryGetValue(session, out var links))
        {
            lock (links)
            {
                links.Remove(stream, out readAhead);
            }
        }

        // A link read ahead is used once, only if its batch ran; otherwise (and for every other stream) read it now.
        var rows = readAhead is { IsCompletedSuccessfully: true }
            ? readAhead.Result
            : await session.AdvancedSql.QueryAsync<string>(LastLinkSql, token, stream);
        if (rows.Count == 0)
        {
            return (0L, EventHash.Genesis);
        }

        var parts = rows[0].Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]);
    }
}

/// <summary>An event as sealed into its stream's chain (<see cref="EventSealing.Seal"/>).</summary>
/// <param name="Type">The stable name it is stored under.</param>
/// <param name="Timestamp">The stored timestamp: when the event says it was recorded, to the stored precision.</param>
/// <param name="User">Who recorded it.</param>
/// <param name="Hash">Its link in the hash chain.</param>
public readonly record struct EventSeal(string Type, DateTimeOffset Timestamp, string User, string Hash);
