using System.Collections.Concurrent;
using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Bench.Writing;
using Ledger.Domain.Common;
using Ledger.Projections;
using Ledger.Projections.Commitments;
using Marten;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Ceiling;

/// <summary>
/// W-equivalent, the physical limit of a ledger write: the minimal transaction that does what a write must
/// do, on the ledger's own tables with their indexes, constraints and protection triggers, as the runtime
/// role, in one round trip. One statement advances the stream's version with the concurrency check
/// (<c>where version = expected</c>), inserts the event row (a review decision's JSON, its hash header, the
/// request's ids) at that version, and upserts the one read model it changes (the commitment's document as a
/// review decision leaves it), autocommitted; no hashing, no decision, no framework. Every writer holds the
/// versions it wrote, as a client holding ETags does. Whatever the ledger does per write beyond this is ours.
/// <para>
/// The read model written must <em>change</em>, as every real write changes it: each commitment's write alternates
/// between two documents, the commitment as reviewed at two instants, computed before the run by the projection's
/// own fold (<see cref="CommitmentView.Next"/>). Rewriting the stored bytes unchanged would let PostgreSQL update
/// the row in place as a heap-only tuple, with no entry in any of its indexes (the GIN index on the document, the
/// meeting and sort-key indexes): a ceiling below the cost of any write that really changes a read model.
/// </para>
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
    private readonly Dictionary<string, (string Even, string Odd)> _documents;
    private readonly string _payload;

    private WEquivalent(NpgsqlDataSource source, WriterCommitments commitments, ConcurrentDictionary<string, long> versions, Dictionary<string, (string Even, string Odd)> documents, string payload)
    {
        _source = source;
        _commitments = commitments;
        _versions = versions;
        _documents = documents;
        _payload = payload;
    }

    /// <summary>Reads the writers' commitments' versions and read models (the documents each write rewrites).</summary>
    public static async Task<WEquivalent> OpenAsync(IDocumentStore store, string runtimeConnection, WriterCommitments commitments, string payload, CancellationToken ct)
    {
        var source = NpgsqlDataSource.Create(runtimeConnection);
        var versions = await commitments.VersionsAsync(runtimeConnection, ct);
        var serializer = store.Options.Serializer();
        var by = new Actor("bench.weq", "UN");
        var now = SystemClock.Instance.GetCurrentInstant();
        string Reviewed(CommitmentView view, Instant at) =>
            serializer.ToJson(CommitmentView.Next(view, Sample.Review(view.Id, by, at)) ?? throw new InvalidOperationException($"{view.Id} has no read model"));

        var documents = new Dictionary<string, (string Even, string Odd)>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"select id, data from {LedgerStore.Schema}.mt_doc_commitmentview where id = any(@codes)"))
        {
            command.Parameters.AddWithValue("codes", versions.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var view = serializer.FromJson<CommitmentView>(reader, 1);
                documents[reader.GetString(0)] = (Reviewed(view, now), Reviewed(view, now + Duration.FromSeconds(1)));
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
                var (even, odd) = _documents[code];
                command.Parameters[8].Value = expected % 2 == 0 ? even : odd;
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
