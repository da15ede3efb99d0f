using System.Collections.Concurrent;
using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Bench.Writing;
using Ledger.Projections;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Ceiling;

/// <summary>
/// W-equivalent, the physical limit of a ledger write: the minimal transaction that does what a write must
/// do, on the ledger's own tables with their indexes, constraints and protection triggers, as the runtime
/// role, in one round trip. One statement advances the stream's version with the concurrency check
/// (<c>where version = expected</c>), inserts the event row (a review decision's JSON, its hash header, the
/// request's ids) at that version, and upserts the one read model it changes (the commitment's, a document
/// of the real one's size), autocommitted; no hashing, no decision, no framework. Every writer holds the
/// versions it wrote, as a client holding ETags does. Whatever the ledger does per write beyond this is ours.
/// </summary>
internal sealed class WEquivalent : IAsyncDisposable
{
    private static readonly string Sql = $"""
        with s as (
          update {LedgerStore.Schema}.mt_streams set version = version + 1, timestamp = now()
          where id = @stream and version = @expected
          returning version),
        e as (
          insert into {LedgerStore.Schema}.mt_events
            (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, causation_id, correlation_id, headers, user_name)
          select nextval('{LedgerStore.Schema}.mt_events_sequence'), @id, @stream, s.version, @data, 'review-decision-recorded', '*DEFAULT*', @at,
                 'Ledger.Domain.Commitments.ReviewDecisionRecorded, Ledger.Domain', false, @correlation, @correlation, @headers, @user
          from s
          returning version)
        insert into {LedgerStore.Schema}.mt_doc_commitmentview as d (id, data, mt_last_modified, mt_dotnet_type, mt_version)
        select @stream, @doc, transaction_timestamp(), 'Ledger.Projections.Commitments.CommitmentView', e.version from e
        on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version
        returning d.mt_version
        """;

    private readonly NpgsqlDataSource _source;
    private readonly WriterCommitments _commitments;
    private readonly ConcurrentDictionary<string, long> _versions;
    private readonly Dictionary<string, string> _documents;
    private readonly string _payload;

    private WEquivalent(NpgsqlDataSource source, WriterCommitments commitments, ConcurrentDictionary<string, long> versions, Dictionary<string, string> documents, string payload)
    {
        _source = source;
        _commitments = commitments;
        _versions = versions;
        _documents = documents;
        _payload = payload;
    }

    /// <summary>Reads the writers' commitments' versions and read models (the documents each write rewrites).</summary>
    public static async Task<WEquivalent> OpenAsync(string runtimeConnection, WriterCommitments commitments, string payload, CancellationToken ct)
    {
        var source = NpgsqlDataSource.Create(runtimeConnection);
        var versions = await commitments.VersionsAsync(runtimeConnection, ct);
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"select id, data::text from {LedgerStore.Schema}.mt_doc_commitmentview where id = any(@codes)"))
        {
            command.Parameters.AddWithValue("codes", versions.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                documents[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return new WEquivalent(source, commitments, new ConcurrentDictionary<string, long>(versions, StringComparer.Ordinal), documents, payload);
    }

    public async Task<LoadResult> RunAsync(int writers, BenchOptions options, CpuMeter meter, CancellationToken ct)
    {
        var connections = new NpgsqlConnection[writers];
        var commands = new NpgsqlCommand[writers];
        try
        {
            for (var w = 0; w < writers; w++)
            {
                connections[w] = await _source.OpenConnectionAsync(ct);
                var command = commands[w] = new NpgsqlCommand(Sql, connections[w]);
                command.Parameters.Add(new NpgsqlParameter("stream", NpgsqlDbType.Varchar));
                command.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Bigint));
                command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid));
                command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = _payload });
                command.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz));
                command.Parameters.Add(new NpgsqlParameter("correlation", NpgsqlDbType.Varchar));
                command.Parameters.Add(new NpgsqlParameter("headers", NpgsqlDbType.Jsonb));
                command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Varchar) { Value = $"bench.w.{w}" });
                command.Parameters.Add(new NpgsqlParameter("doc", NpgsqlDbType.Jsonb));
                await command.PrepareAsync(ct);
            }

            var turns = new long[writers];
            return await LoadTest.RunAsync(writers, options.Warmup, options.Duration, meter, async (w, token) =>
            {
                var code = _commitments.Code(w, turns[w]++);
                var command = commands[w];
                var expected = _versions[code];
                var correlation = Guid.NewGuid().ToString("N");
                command.Parameters[0].Value = code;
                command.Parameters[1].Value = expected;
                command.Parameters[2].Value = Guid.NewGuid();
                command.Parameters[4].Value = DateTime.UtcNow;
                command.Parameters[5].Value = correlation;
                command.Parameters[6].Value = $$"""{"hash": "{{correlation}}{{correlation}}", "request": "POST /api/commitments/{{code}}/reviews"}""";
                command.Parameters[8].Value = _documents[code];
                var written = await command.ExecuteScalarAsync(token);
                if (written is not long version || version != expected + 1)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{code} was not at version {expected}");
                }

                _versions[code] = version;
                return null;
            }, ct);
        }
        finally
        {
            await Disposables.DisposeAllAsync(commands, connections);
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
