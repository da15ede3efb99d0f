using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Domain.Audit;

/// <summary>
/// The hash chain of a stream. Each event's hash is SHA-256 over the UTF-8 bytes of one canonical
/// JSON object (see <see cref="CanonicalJson"/>):
/// <code>{"data":&lt;the event's stored data&gt;,"prev":"&lt;hex hash of the stream's previous event, or 64 zeros&gt;","stream":"AST-2024-06","timestamp":"2024-07-25T06:00:00.000000Z","type":"review-decision-recorded","version":2}</code>
/// The data carries who recorded the event and when (<c>recordedBy</c>, <c>recordedAt</c>); the
/// timestamp is the stored one, to the microsecond. docs/audit.md shows how to recompute it with jq and sha256sum.
/// </summary>
public static class EventHash
{
    public const string Algorithm = "sha256-canonical-json-chain";

    /// <summary>The "previous hash" of a stream's first event.</summary>
    public static string Genesis { get; } = new('0', 64);

    public static string TimestampText(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Drops what the database cannot keep: its timestamps hold microseconds.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset timestamp) =>
        new(timestamp.UtcTicks - (timestamp.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>The canonical text that is hashed; <paramref name="canonicalData"/> is already canonical.</summary>
    public static string Envelope(string previous, string stream, long version, string type, DateTimeOffset timestamp, string canonicalData)
    {
        var builder = new StringBuilder(canonicalData.Length + 200);
        builder.Append("{\"data\":").Append(canonicalData)
            .Append(",\"prev\":").Append(CanonicalJson.Canonicalize(Quote(previous)))
            .Append(",\"stream\":").Append(CanonicalJson.Canonicalize(Quote(stream)))
            .Append(",\"timestamp\":\"").Append(TimestampText(timestamp)).Append('"')
            .Append(",\"type\":").Append(CanonicalJson.Canonicalize(Quote(type)))
            .Append(",\"version\":").Append(version.ToString(CultureInfo.InvariantCulture))
            .Append('}');
        return builder.ToString();
    }

    public static string Compute(string previous, string stream, long version, string type, DateTimeOffset timestamp, string canonicalData) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Envelope(previous, stream, version, type, timestamp, canonicalData))));

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
