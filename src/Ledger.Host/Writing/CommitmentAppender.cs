using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Common;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Ledger.Projections.Commitments;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Host.Writing;

/// <summary>
/// A commitment as a write decides on it: its read model at a version, the last link of its hash chain, and the
/// instant its stream was last appended to (<c>mt_streams.timestamp</c>), which tells this history's append at
/// that version from any other's.
/// </summary>
public sealed record WriteModel(CommitmentView View, string LastHash, DateTime AppendedAt)
{
    public long Version => View.Version;
}

/// <summary>What a write records besides its events: the request's ids, its headers, and its idempotency record.</summary>
/// <param name="CorrelationId">The request's correlation id, stored on every event.</param>
/// <param name="CausationId">The request's causation id, stored on every event.</param>
/// <param name="Headers">The event headers of the request (the hash is added per event).</param>
/// <param name="Record">The idempotency record stored with the events, when the request has a key: its id and JSON.</param>
public sealed record AppendContext(string CorrelationId, string CausationId, IReadOnlyDictionary<string, string> Headers, (string Id, string Json)? Record = null);

/// <summary>How an append ended.</summary>
public enum AppendOutcome
{
    /// <summary>The events, the stream's new version and the read model were stored, in one transaction.</summary>
    Written,

    /// <summary>The stream was no longer at the version decided on; nothing was stored.</summary>
    StaleVersion,

    /// <summary>Another request with the same idempotency record committed first; nothing was stored.</summary>
    AlreadyRecorded,
}

/// <summary>
/// Appends a decision's events to an existing commitment's stream in one autocommitted statement: the stream's
/// version advanced with the concurrency check (<c>where version = expected</c>), the sealed event rows (the
/// ledger's timestamp and user, the hash chain link, <see cref="EventSealing.Seal"/>), the commitment's inline
/// read model folded by <see cref="CommitmentView.Next"/>, and the idempotency record when there is one. These are Marten's own tables and rows, read back
/// by Marten (loads, projections, the daemon) exactly as if its session had written them; the statement is the
/// transaction Marten's session would run, without its three round trips (read, batch, commit).
/// <para>
/// Between writes it keeps each commitment's write model (<see cref="WriteModel"/>). The statement writes only
/// when the stream is still at the model's version <em>and</em> still carries the instant of the append the model
/// was read at or written by (the stream row's <c>timestamp</c>, which every append sets): a kept model is then
/// exactly the stream's current state, or the write is refused as stale and nothing is stored. No host can write
/// on a state another host has moved past, nor on one of a history the database no longer holds (a database
/// restored or recreated under a running host, whose streams were appended at other instants). The check reads
/// only the stream's row, which the update locks anyway; the chain link it continues was read with that row.
/// </para>
/// </summary>
public sealed class CommitmentAppender : IAsyncDisposable
{
    /// <summary>How many commitments' write models are kept; beyond it the keeping starts afresh.</summary>
    public const int KeptModels = 50_000;

    private static readonly string Schema = LedgerStore.Schema;

    private static readonly string LoadSql = $"""
        select s.version, d.mt_version, d.data, s.timestamp,
               (select e.headers ->> '{EventSealing.HashHeader}' from {Schema}.mt_events e where e.stream_id = s.id and e.version = s.version),
               ({ReferenceData.StampSql})
        from (values (1)) as one (row)
          left join {Schema}.mt_streams s on s.id = $1
          left join {Schema}.mt_doc_commitmentview d on d.id = s.id
        """;

    // $1 stream, $2 expected version, $3 the instant of the stream's append decided on, $4 correlation, $5 causation,
    // $6..$12 the events (ids, data, types, timestamps, .NET types, headers, users), $13 the read model,
    // $14/$15 the idempotency record (id and JSON, or nulls), $16 the new version.
    // One event (every decision so far) is passed as plain values, several as arrays unnested in order.
    private static readonly string AppendOneSql = AppendSql(
        "(select $6::uuid as id, $7::jsonb as data, $8::varchar as type, $9::timestamptz as at, $10::varchar as dotnet, $11::jsonb as headers, $12::varchar as by, 1::bigint as n)");

    private static readonly string AppendManySql = AppendSql(
        """
        (select u.* from unnest($6::uuid[], $7::jsonb[], $8::varchar[], $9::timestamptz[], $10::varchar[], $11::jsonb[], $12::varchar[])
           with ordinality as u(id, data, type, at, dotnet, headers, by, n) order by u.n)
        """);

    private static string AppendSql(string events) => $"""
        with stream as (
          update {Schema}.mt_streams set version = $16, timestamp = now()
          where id = $1 and version = $2 and timestamp = $3
          returning version, timestamp),
        appended as (
          insert into {Schema}.mt_events
            (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, correlation_id, causation_id, headers, user_name)
          select nextval('{Schema}.mt_events_sequence'), x.id, $1, $2 + x.n, x.data, x.type, '*DEFAULT*', x.at, x.dotnet, false, $4, $5, x.headers, x.by
          from stream, {events} x
          returning version),
        model as (
          insert into {Schema}.mt_doc_commitmentview as m (id, data, mt_last_modified, mt_dotnet_type, mt_version)
          select $1, $13, transaction_timestamp(), '{typeof(CommitmentView).FullName}', stream.version from stream
          on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version),
        record as (
          insert into {Schema}.mt_doc_idempotentrequest (id, data, mt_last_modified, mt_dotnet_type)
          select $14, $15::jsonb, transaction_timestamp(), '{typeof(Idempotency.IdempotentRequest).FullName}' from stream where $14 is not null)
        select version, timestamp from stream
        """;

    private const string RecordKey = "pkey_mt_doc_idempotentrequest_id";

    /// <summary>The .NET type names Marten stores beside each event (<c>mt_dotnet_type</c>), as it spells them.</summary>
    private static readonly ConcurrentDictionary<Type, string> DotnetTypes = new();

    private readonly ConcurrentDictionary<string, WriteModel> _kept = new(StringComparer.Ordinal);

    private readonly IDocumentStore _store;

    private readonly NpgsqlDataSource _connections;

    /// <summary>
    /// An appender on <paramref name="store"/>'s tables, connecting with <paramref name="connectionString"/> (the
    /// store's own, its statements prepared as the store's are: <see cref="LedgerStore.Prepared"/>). Its connections go back to their pool without Npgsql's session reset (<c>No Reset On Close</c>):
    /// every statement here is one autocommitted statement that leaves no session state behind (no setting, lock,
    /// cursor, listener or temporary table), and the reset would run seven more statements on the server before each
    /// write's own (<c>set session authorization default; reset all; close all; unlisten *;</c> and the rest), which
    /// costs PostgreSQL more than the write's checks. Every other connection of the host keeps the reset.
    /// Its pool holds <see cref="PoolShare"/> of the connection string's Maximum Pool Size; the host's store holds the
    /// rest (<see cref="StoreShare"/>), so the host's sessions stay within the size the connection string gives.
    /// </summary>
    public CommitmentAppender(IDocumentStore store, string connectionString)
    {
        _store = store;
        var builder = LedgerStore.Prepared(connectionString);
        builder.NoResetOnClose = true;
        Pool(builder, PoolShare(builder.MaxPoolSize));
        _connections = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The appender of the host's store, on the connection string the store connects with.</summary>
    public CommitmentAppender(IDocumentStore store, DatabaseRoles.LedgerConnections connections)
        : this(store, connections.Store)
    {
    }

    /// <summary>The appender's share of a pool of <paramref name="maxPoolSize"/> connections: a quarter, at least one.</summary>
    public static int PoolShare(int maxPoolSize) => Math.Max(1, maxPoolSize / 4);

    /// <summary>
    /// <paramref name="connectionString"/> with the Maximum Pool Size left to the rest of the host once the appender has
    /// its <see cref="PoolShare"/> (at least one connection).
    /// </summary>
    public static string StoreShare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Pool(builder, Math.Max(1, builder.MaxPoolSize - PoolShare(builder.MaxPoolSize)));
        return builder.ConnectionString;
    }

    /// <summary>Sizes <paramref name="builder"/>'s pool at <paramref name="size"/>, its minimum kept within it.</summary>
    private static void Pool(NpgsqlConnectionStringBuilder builder, int size)
    {
        builder.MaxPoolSize = size;
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, size);
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>The write model kept for <paramref name="code"/>, if any: the state of its last write or load here.</summary>
    public WriteModel? Kept(string code) => _kept.TryGetValue(code, out var model) ? model : null;

    /// <summary>
    /// Loads <paramref name="code"/>'s write model and the reference catalog's stamp in one round trip: null when no
    /// such commitment exists.
    /// </summary>
    /// <exception cref="InvalidOperationException">The read model is behind its stream (it is being rebuilt).</exception>
    public async Task<(WriteModel? Model, string Stamp)> LoadAsync(string code, CancellationToken ct)
    {
        await using var connection = await _connections.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(LoadSql, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = code });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var stamp = reader.GetString(5);
        if (reader.IsDBNull(0) || reader.IsDBNull(1))
        {
            return (null, stamp);
        }

        var version = reader.GetInt64(0);

        if (reader.GetInt64(1) != version || reader.IsDBNull(4))
        {
            throw new InvalidOperationException($"The read model of {code} is at version {reader.GetInt64(1)}, behind its stream's {version}: it is being rebuilt.");
        }

        var view = _store.Options.Serializer().FromJson<CommitmentView>(reader, 2);
        view.Version = version;
        var model = new WriteModel(view, reader.GetString(4), reader.GetDateTime(3));
        Keep(model);
        return (model, stamp);
    }

    /// <summary>
    /// Appends <paramref name="events"/> to the stream of <paramref name="model"/>, which must still be exactly at
    /// <paramref name="model"/> (its version and the instant of its last append); returns the outcome and, when written, the new write
    /// model (also kept for the next write).
    /// </summary>
    public async Task<(AppendOutcome Outcome, WriteModel? Written)> AppendAsync(
        WriteModel model, IReadOnlyList<object> events, AppendContext context, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var serializer = _store.Options.Serializer();
        var code = model.View.Id;
        var count = events.Count;
        var (ids, data, types, timestamps, dotnetTypes, headers, users) =
            (new Guid[count], new string[count], new string[count], new DateTimeOffset[count], new string[count], new string[count], new string[count]);
        var view = model.View;
        var previous = model.LastHash;
        for (var i = 0; i < count; i++)
        {
            var e = events[i];
            var json = serializer.ToJson(e);
            var seal = EventSealing.Seal(previous, code, model.Version + i + 1, e, json);
            (ids[i], data[i], types[i], timestamps[i], users[i]) = (Guid.CreateVersion7(), json, seal.Type, seal.Timestamp, seal.User);
            dotnetTypes[i] = DotnetTypes.GetOrAdd(e.GetType(), t => $"{t.FullName}, {t.Assembly.GetName().Name}");
            headers[i] = Headers(context.Headers, seal.Hash);
            previous = seal.Hash;
            view = CommitmentView.Next(view, e) ?? throw new InvalidOperationException($"{e.GetType().Name} left {code} without a read model.");
        }

        view.Version = model.Version + count;
        await using var connection = await _connections.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(count == 1 ? AppendOneSql : AppendManySql, connection);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = code });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = model.Version });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = model.AppendedAt });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = context.CorrelationId });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = context.CausationId });
        Values(p, count, NpgsqlDbType.Uuid, ids);
        Values(p, count, NpgsqlDbType.Jsonb, data);
        Values(p, count, NpgsqlDbType.Varchar, types);
        Values(p, count, NpgsqlDbType.TimestampTz, timestamps);
        Values(p, count, NpgsqlDbType.Varchar, dotnetTypes);
        Values(p, count, NpgsqlDbType.Jsonb, headers);
        Values(p, count, NpgsqlDbType.Varchar, users);
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = serializer.ToJson(view) });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)context.Record?.Id ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)context.Record?.Json ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = view.Version });
        try
        {
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    var written = new WriteModel(view, previous, reader.GetDateTime(1));
                    Keep(written);
                    return (AppendOutcome.Written, written);
                }
            }

            _kept.TryRemove(new KeyValuePair<string, WriteModel>(code, model));
            return (AppendOutcome.StaleVersion, null);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: RecordKey })
        {
            return (AppendOutcome.AlreadyRecorded, null);
        }
    }

    /// <summary>Keeps <paramref name="model"/> unless a later version of its commitment is kept already.</summary>
    private void Keep(WriteModel model)
    {
        if (_kept.Count >= KeptModels)
        {
            _kept.Clear();
        }

        _kept.AddOrUpdate(model.View.Id, model, (_, kept) => kept.Version >= model.Version ? kept : model);
    }

    /// <summary>The events' <paramref name="values"/> of one column: the one value itself, or the array of them.</summary>
    private static void Values<T>(NpgsqlParameterCollection parameters, int count, NpgsqlDbType type, T[] values) =>
        parameters.Add(count == 1
            ? new NpgsqlParameter { NpgsqlDbType = type, Value = values[0] }
            : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values });

    private static string Headers(IReadOnlyDictionary<string, string> headers, string hash)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteString(EventSealing.HashHeader, hash);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
