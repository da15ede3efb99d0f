using System.Buffers;
using System.Data.Common;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Ledger.Projections;

/// <summary>
/// The store's JSON serializer (Marten's System.Text.Json one, <see cref="Inner"/>), reading a stored document or
/// event from a row the way its synchronous read does even when Marten asks asynchronously. Marten never opens its
/// readers with <c>CommandBehavior.SequentialAccess</c>, so a row is in memory whole before it is read, and nothing
/// is left to wait for: the synchronous read copies the JSON column into a pooled buffer and deserializes that span
/// in one pass, where the asynchronous one streams it through System.Text.Json's resumable readers (a fifth of a
/// rebuild's CPU). Everything else (writing, options, casing) is the inner serializer's, unchanged.
/// </summary>
internal sealed class BufferedRowSerializer(Marten.ISerializer inner) : Marten.ISerializer
{
    public Marten.ISerializer Inner { get; } = inner;

    public EnumStorage EnumStorage => Inner.EnumStorage;

    public Casing Casing => Inner.Casing;

    public ValueCasting ValueCasting => Inner.ValueCasting;

    public string ToJson(object? document) => Inner.ToJson(document);

    public void WriteTo(IBufferWriter<byte> writer, object? value) => Inner.WriteTo(writer, value);

    public string ToCleanJson(object? document) => Inner.ToCleanJson(document);

    public void WriteToCleanJson(IBufferWriter<byte> writer, object? value) => Inner.WriteToCleanJson(writer, value);

    public string ToJsonWithTypes(object document) => Inner.ToJsonWithTypes(document);

    public void WriteToJsonWithTypes(IBufferWriter<byte> writer, object value) => Inner.WriteToJsonWithTypes(writer, value);

    public void WriteToParameter(NpgsqlParameter parameter, object? value) => Inner.WriteToParameter(parameter, value);

    public T FromJson<T>(Stream stream) => Inner.FromJson<T>(stream);

    public object FromJson(Type type, Stream stream) => Inner.FromJson(type, stream);

    public ValueTask<T> FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken = default) =>
        Inner.FromJsonAsync<T>(stream, cancellationToken);

    public ValueTask<object> FromJsonAsync(Type type, Stream stream, CancellationToken cancellationToken = default) =>
        Inner.FromJsonAsync(type, stream, cancellationToken);

    public T FromJson<T>(DbDataReader reader, int index) => Inner.FromJson<T>(reader, index);

    public object FromJson(Type type, DbDataReader reader, int index) => Inner.FromJson(type, reader, index);

    public ValueTask<T> FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Inner.FromJson<T>(reader, index));

    public ValueTask<object> FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Inner.FromJson(type, reader, index));
}
