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
/// <remarks>
/// The envelope is written as UTF-8 straight into a reused buffer and hashed there, because
/// verification hashes every event of the ledger. The strings are escaped as canonical JSON
/// strings (a <see langword="null"/> one is written <c>null</c>, an unpaired surrogate as U+FFFD),
/// which is what quoting them with <see cref="System.Text.Json.JsonSerializer"/> and
/// canonicalising the result gives.
/// </remarks>
public static class EventHash
{
    public const string Algorithm = "sha256-canonical-json-chain";

    /// <summary>Bytes of a SHA-256 hash.</summary>
    public const int HashSize = SHA256.HashSizeInBytes;

    private const int TimestampLength = 27;

    /// <summary>A SHA-256 context kept per thread: setting one up for every event costs a tenth or more of hashing it.</summary>
    [ThreadStatic]
    private static IncrementalHash? s_sha256;

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
        ArgumentNullException.ThrowIfNull(canonicalData);
        var buffer = CanonicalBuffer.Rent();
        try
        {
            AppendAfterData(buffer, previous, stream, version, type, timestamp);
            return string.Concat("{\"data\":", canonicalData, Encoding.UTF8.GetString(buffer.Written));
        }
        finally
        {
            CanonicalBuffer.Return(buffer);
        }
    }

    /// <summary>The chain hash, in lowercase hex, of an event whose data is already canonical.</summary>
    public static string Compute(string previous, string stream, long version, string type, DateTimeOffset timestamp, string canonicalData)
    {
        ArgumentNullException.ThrowIfNull(canonicalData);
        var buffer = CanonicalBuffer.Rent();
        try
        {
            buffer.Append("{\"data\":"u8);
            buffer.AppendUtf8(canonicalData);
            AppendAfterData(buffer, previous, stream, version, type, timestamp);
            Span<byte> hash = stackalloc byte[HashSize];
            Sha256(buffer.Written, hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            CanonicalBuffer.Return(buffer);
        }
    }

    /// <summary>
    /// The chain hash, in lowercase hex, of an event as the events table holds it: the same as
    /// <see cref="Compute"/> over <see cref="CanonicalJson.Canonicalize(string)"/> of
    /// <paramref name="storedData"/>, without the intermediate strings.
    /// </summary>
    /// <param name="previous">The hash of the stream's previous event, or <see cref="Genesis"/>.</param>
    /// <param name="stream">The stream key.</param>
    /// <param name="version">The event's position in its stream.</param>
    /// <param name="type">The stored type name.</param>
    /// <param name="timestamp">The stored timestamp.</param>
    /// <param name="storedData">The event's data as stored, in any key order and spacing (PostgreSQL's jsonb text, for one).</param>
    public static string ComputeFromStoredData(string previous, string stream, long version, string type, DateTimeOffset timestamp, string storedData)
    {
        ArgumentNullException.ThrowIfNull(storedData);
        Span<byte> hash = stackalloc byte[HashSize];
        HashStoredData(previous, stream, version, type, timestamp, storedData, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Writes the chain hash of an event as stored (see <see cref="ComputeFromStoredData"/>) as its
    /// <see cref="HashSize"/> raw bytes, allocating nothing.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The data is not JSON.</exception>
    public static void HashStoredData(string previous, string stream, long version, string type, DateTimeOffset timestamp,
        ReadOnlySpan<char> storedData, Span<byte> hash)
    {
        if (hash.Length < HashSize)
        {
            throw new ArgumentException($"A SHA-256 hash takes {HashSize} bytes.", nameof(hash));
        }

        var buffer = CanonicalBuffer.Rent();
        try
        {
            buffer.Append("{\"data\":"u8);
            CanonicalJson.Append(storedData, buffer);
            AppendAfterData(buffer, previous, stream, version, type, timestamp);
            Sha256(buffer.Written, hash);
        }
        finally
        {
            CanonicalBuffer.Return(buffer);
        }
    }

    /// <summary>
    /// Whether <paramref name="expectedHash"/> is exactly the lowercase hex chain hash of the event
    /// as stored (see <see cref="ComputeFromStoredData"/>), allocating nothing. The data is
    /// canonicalised whatever the expected hash, so data that is not JSON always throws.
    /// </summary>
    public static bool MatchesStoredData(string? expectedHash, string previous, string stream, long version, string type, DateTimeOffset timestamp,
        ReadOnlySpan<char> storedData)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        HashStoredData(previous, stream, version, type, timestamp, storedData, hash);
        Span<char> hex = stackalloc char[HashSize * 2];
        Convert.TryToHexStringLower(hash, hex, out _);
        return hex.SequenceEqual(expectedHash);
    }

    private static void Sha256(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        // Taken while in use, so that a failure part-way leaves no half-fed context behind.
        var sha256 = s_sha256 ?? IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        s_sha256 = null;
        sha256.AppendData(data);
        sha256.GetHashAndReset(hash);
        s_sha256 = sha256;
    }

    /// <summary>Everything of the envelope after the data: its members are in canonical (name) order.</summary>
    private static void AppendAfterData(CanonicalBuffer buffer, string? previous, string? stream, long version, string? type, DateTimeOffset timestamp)
    {
        buffer.Append(",\"prev\":"u8);
        CanonicalJson.AppendString(previous, buffer);
        buffer.Append(",\"stream\":"u8);
        CanonicalJson.AppendString(stream, buffer);
        buffer.Append(",\"timestamp\":\""u8);
        AppendTimestamp(buffer, timestamp);
        buffer.Append("\",\"type\":"u8);
        CanonicalJson.AppendString(type, buffer);
        buffer.Append(",\"version\":"u8);
        buffer.EnsureCapacity(20);
        version.TryFormat(buffer.Spare, out var digits, default, CultureInfo.InvariantCulture);
        buffer.Length += digits;
        buffer.Append((byte)'}');
    }

    /// <summary>Appends <see cref="TimestampText"/> of <paramref name="timestamp"/> as UTF-8.</summary>
    private static void AppendTimestamp(CanonicalBuffer buffer, DateTimeOffset timestamp)
    {
        var utc = timestamp.UtcDateTime;
        buffer.EnsureCapacity(TimestampLength);
        var text = buffer.Spare[..TimestampLength];
        var (year, month, day) = utc;
        var microseconds = (int)(utc.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
        WriteTwoDigits(text, year / 100);
        WriteTwoDigits(text[2..], year % 100);
        text[4] = (byte)'-';
        WriteTwoDigits(text[5..], month);
        text[7] = (byte)'-';
        WriteTwoDigits(text[8..], day);
        text[10] = (byte)'T';
        WriteTwoDigits(text[11..], utc.Hour);
        text[13] = (byte)':';
        WriteTwoDigits(text[14..], utc.Minute);
        text[16] = (byte)':';
        WriteTwoDigits(text[17..], utc.Second);
        text[19] = (byte)'.';
        WriteTwoDigits(text[20..], microseconds / 10_000);
        WriteTwoDigits(text[22..], microseconds / 100 % 100);
        WriteTwoDigits(text[24..], microseconds % 100);
        text[26] = (byte)'Z';
        buffer.Length += TimestampLength;
    }

    /// <summary>Writes <paramref name="value"/> (0–99) as two decimal digits.</summary>
    private static void WriteTwoDigits(Span<byte> text, int value)
    {
        text[0] = (byte)('0' + (value / 10));
        text[1] = (byte)('0' + (value % 10));
    }
}
