using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// The canonical form as the ledger first computed it, over <see cref="JsonDocument"/>: slow but plainly
/// right, and the definition every hash already stored was made with. The tests hold the fast
/// <see cref="Ledger.Domain.Audit.CanonicalJson"/> to it byte for byte.
/// </summary>
internal static class CanonicalJsonReference
{
    internal static string Canonicalize(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        var builder = new StringBuilder(json.Length);
        Write(document.RootElement, builder);
        return builder.ToString();
    }

    internal static string Canonicalize(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(element, builder);
        return builder.ToString();
    }

    private static void Write(JsonElement element, StringBuilder builder)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(property.Name, builder);
                    builder.Append(':');
                    Write(property.Value, builder);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        builder.Append(',');
                    }

                    firstItem = false;
                    Write(item, builder);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, builder);
                break;
            case JsonValueKind.Number:
                builder.Append(element.GetRawText());
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    private static void WriteString(string value, StringBuilder builder)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}

/// <summary>The envelope and chain hash as the ledger first computed them, over <see cref="CanonicalJsonReference"/>.</summary>
internal static class EventHashReference
{
    internal static string TimestampText(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The canonical text that is hashed; <paramref name="canonicalData"/> is already canonical.</summary>
    internal static string Envelope(string previous, string stream, long version, string type, DateTimeOffset timestamp, string canonicalData)
    {
        var builder = new StringBuilder(canonicalData.Length + 200);
        builder.Append("{\"data\":").Append(canonicalData)
            .Append(",\"prev\":").Append(CanonicalJsonReference.Canonicalize(Quote(previous)))
            .Append(",\"stream\":").Append(CanonicalJsonReference.Canonicalize(Quote(stream)))
            .Append(",\"timestamp\":\"").Append(TimestampText(timestamp)).Append('"')
            .Append(",\"type\":").Append(CanonicalJsonReference.Canonicalize(Quote(type)))
            .Append(",\"version\":").Append(version.ToString(CultureInfo.InvariantCulture))
            .Append('}');
        return builder.ToString();
    }

    internal static string Compute(string previous, string stream, long version, string type, DateTimeOffset timestamp, string canonicalData) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Envelope(previous, stream, version, type, timestamp, canonicalData))));

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
