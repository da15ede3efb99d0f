using System.Buffers;
using System.Data.Common;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Ledger.Projections;

/// <summary>
/// The store's JSON serializer (Marten's System.Text.Json one, <c>inner</c>), reading a stored document or
/// event from a row the way its synchronous read does even when Marten asks asynchronously. Marten never opens its
/// readers with <c>CommandBehavior.SequentialAccess</c>, so a row is in memory whole before it is read, and nothing
/// is left to wait for: the synchronous read copies the JSON column into a pooled buffer and deserializes that span
/// in one pass, where the asynchronous one streams it through System.Text.Json's resumable readers (a fifth of a
/// rebuild's CPU). Everything else (writing, options, casing) is the inner serializer's, unchanged. Marten's
/// <c>JsonDocument</c> upcasters (<c>Upcast</c> with a transform of the raw JSON) insist on its own serializer type and
/// would refuse this one; the ledger's upcasters map one event type to another (<see cref="LedgerStore"/>).
/// </summary>
internal sealed class BufferedRowSerializer(Marten.ISerializer inner) : Marten.ISerializer
{
    public EnumStorage EnumStorage => inner.EnumStorage;

    public Casing Casing => inner.Casing;

    public ValueCasting ValueCasting => inner.ValueCasting;

    public string ToJson(object? document) => inner.ToJson(document);

    public void WriteTo(IBufferWriter<byte> writer, object? value) => inner.WriteTo(writer, value);

    public string ToCleanJson(object? document) => inner.ToCleanJson(document);

    public void WriteToCleanJson(IBufferWriter<byte> writer, object? value) => inner.WriteToCleanJson(writer, value);

    public string ToJsonWithTypes(object document) => inner.ToJsonWithTypes(document);

    public void WriteToJsonWithTypes(IBufferWriter<byte> writer, object value) => inner.WriteToJsonWithTypes(writer, value);

    public void WriteToParameter(NpgsqlParameter parameter, object? value) => inner.WriteToParameter(parameter, value);

    public T FromJson<T>(Stream stream) => inner.FromJson<T>(stream);

    public object FromJson(Type type, Stream stream) => inner.FromJson(type, stream);

    public ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken = default) =>
        inner.FromJsonAsync<T>(stream, cancellationToken);

    public ValueTask<object> FromJsonAsync(Type type, Stream stream, CancellationToken cancellationToken = default) =>
        inner.FromJsonAsync(type, stream, cancellationToken);

    public T FromJson<T>(DbDataReader reader, int index) => inner.FromJson<T>(reader, index);

    public object FromJson(Type type, DbDataReader reader, int index) => inner.FromJson(type, reader, index);

    public ValueTask<T> FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(inner.FromJson<T>(reader, index));

    public ValueTask<object> FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(inner.FromJson(type, reader, index));
}
