using JasperFx.Events;
using Ledger.Domain.Audit;
using Ledger.Domain.Common;
using Marten;

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
/// Two writers on one stream cannot both chain onto the same previous event: the stream version
/// check refuses one of them.
/// </summary>
public sealed class EventSealing : DocumentSessionListenerBase
{
    public const string HashHeader = "hash";

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

                e.Timestamp = EventHash.ToStoredPrecision(recorded.RecordedAt.ToDateTimeOffset());
                e.UserName = recorded.RecordedBy.User;
                var hash = EventHash.ComputeFromStoredData(previous, key, version, LedgerStore.EventTypeNames[e.Data.GetType()], e.Timestamp, serializer.ToJson(e.Data));
                e.SetHeader(HashHeader, hash);
                previous = hash;
            }
        }
    }

    private static async Task<(long Version, string Hash)> LastLinkAsync(IQuerySession session, string stream, CancellationToken token)
    {
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select version::text || ' ' || coalesce(headers ->> '{HashHeader}', '') from {LedgerStore.Schema}.mt_events where stream_id = ? order by version desc limit 1",
            token, stream);
        if (rows.Count == 0)
        {
            return (0L, EventHash.Genesis);
        }

        var parts = rows[0].Split(' ');
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1]);
    }
}
