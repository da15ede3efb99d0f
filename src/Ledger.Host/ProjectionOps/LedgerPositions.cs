using Marten;

namespace Ledger.Host.ProjectionOps;

/// <summary>The ledger's high-water mark and every progression row, read in one statement.</summary>
public sealed record LedgerPositions(long HighWaterMark, IReadOnlyDictionary<string, long> Shards)
{
    /// <summary>The position of an async projection's shard; null when it has no progression row (never run, or being rebuilt).</summary>
    public long? PositionOf(string? shard) => shard is not null && Shards.TryGetValue(shard, out var position) ? position : null;

    /// <summary>
    /// Reads the positions through <paramref name="session"/>, so inside a snapshot transaction they are
    /// exactly those of the read models read in the same transaction.
    /// </summary>
    public static async Task<LedgerPositions> ReadAsync(IQuerySession session, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var rows = await session.AdvancedSql.QueryAsync<string, long>(
            $"""
             select row(p.name), row(p.last_seq_id) from {schema}.mt_event_progression p
             union all
             select row(''), row(coalesce(max(e.seq_id), 0)) from {schema}.mt_events e
             """,
            ct);
        var shards = new Dictionary<string, long>(StringComparer.Ordinal);
        long highWaterMark = 0;
        foreach (var (name, position) in rows)
        {
            if (name.Length == 0)
            {
                highWaterMark = position;
            }
            else
            {
                shards[name] = position;
            }
        }

        return new LedgerPositions(highWaterMark, shards);
    }
}
