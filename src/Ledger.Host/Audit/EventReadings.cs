using System.Text.Json;
using Ledger.Projections;
using Marten;
using Marten.Linq;

namespace Ledger.Host.Audit;

/// <summary>A stored event of an earlier version as the ledger reads it now: the current type's stable name, and its data in that shape.</summary>
public sealed record EventReading(string Type, JsonElement Data);

/// <summary>
/// How the ledger reads stored events of earlier versions (<see cref="LedgerStore.EarlierEventNames"/>): through the
/// store's own event storage, so with exactly the upcasters every other read applies. The stored rows are never
/// changed; auditors see both the row as stored and this reading of it.
/// </summary>
public sealed class EventReadings(IDocumentStore store)
{
    /// <summary>The reading of each of <paramref name="rows"/> stored under an earlier version's name, by sequence; none for the others.</summary>
    public async Task<IReadOnlyDictionary<long, EventReading>> OfEarlierVersionsAsync(IEnumerable<RawEvent> rows, CancellationToken ct)
    {
        var earlier = rows.Where(r => LedgerStore.IsEarlierVersion(r.Event.Type)).Select(r => r.Event.Sequence).ToArray();
        if (earlier.Length == 0)
        {
            return new Dictionary<long, EventReading>();
        }

        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence.IsOneOf(earlier)).ToListAsync(ct);
        var serializer = store.Options.Serializer();
        return events.ToDictionary(
            e => e.Sequence,
            e =>
            {
                using var document = JsonDocument.Parse(serializer.ToJson(e.Data));
                return new EventReading(LedgerStore.EventTypeNames[e.EventType], document.RootElement.Clone());
            });
    }
}
