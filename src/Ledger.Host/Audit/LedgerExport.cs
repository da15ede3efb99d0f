using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Host.Importing;

namespace Ledger.Host.Audit;

public enum ExportFormat
{
    Jsonl,
    Csv,
}

/// <summary>
/// The ledger as a file: one line per event in global order, JSON Lines or CSV, written as it is
/// read (constant memory). A JSON Lines export holds every value exactly, and everything needed to
/// recompute every hash chain and the Merkle root from the file alone (<see cref="ReadJsonLines"/>);
/// a CSV export is for spreadsheets and neutralises cells that would start a formula.
/// </summary>
public static class LedgerExport
{
    public const string CsvHeader = "sequence,stream,version,type,timestamp,user,correlationId,causationId,callerReference,idempotencyKey,hash,data";

    public static async Task<long> WriteAsync(
        IAsyncEnumerable<RawEvent> events, ExportFormat format, Stream output, IProgress<long>? progress, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        if (format == ExportFormat.Csv)
        {
            await writer.WriteLineAsync(CsvHeader);
        }

        long count = 0;
        await foreach (var raw in events.WithCancellation(ct))
        {
            await writer.WriteLineAsync(format == ExportFormat.Csv ? CsvLine(raw) : JsonLine(raw));
            if (++count % 1000 == 0)
            {
                progress?.Report(count);
                await writer.FlushAsync(ct);
            }
        }

        progress?.Report(count);
        await writer.FlushAsync(ct);
        return count;
    }

    public static string JsonLine(RawEvent raw)
    {
        var e = raw.Event;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("stream", e.Stream);
            json.WriteNumber("version", e.Version);
            json.WriteString("type", e.Type);
            json.WriteString("timestamp", EventHash.TimestampText(e.Timestamp));
            json.WriteString("user", raw.User);
            json.WriteString("correlationId", raw.CorrelationId);
            json.WriteString("causationId", raw.CausationId);
            json.WriteString("callerReference", raw.CallerReference);
            json.WriteString("idempotencyKey", raw.IdempotencyKey);
            json.WriteString("hash", e.Hash);
            json.WritePropertyName("data");
            json.WriteRawValue(CanonicalJson.Canonicalize(e.Data), skipInputValidation: true);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// One CSV record. Every field goes through <see cref="Csv.Field"/>, so no cell can start a spreadsheet
    /// formula (a caller chooses its references, idempotency keys and, with a provider, its user name); the
    /// exact values are in the JSON Lines export.
    /// </summary>
    private static string CsvLine(RawEvent raw)
    {
        var e = raw.Event;
        return string.Join(',', new[]
        {
            e.Sequence.ToString(CultureInfo.InvariantCulture),
            e.Stream,
            e.Version.ToString(CultureInfo.InvariantCulture),
            e.Type,
            EventHash.TimestampText(e.Timestamp),
            raw.User,
            raw.CorrelationId,
            raw.CausationId,
            raw.CallerReference,
            raw.IdempotencyKey,
            e.Hash,
            CanonicalJson.Canonicalize(e.Data),
        }.Select(Csv.Field));
    }

    /// <summary>Reads a JSON Lines export back into stored events (for offline verification).</summary>
    public static async IAsyncEnumerable<StoredEvent> ReadJsonLines(TextReader reader)
    {
        var lineNumber = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            StoredEvent stored;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                stored = new StoredEvent(
                    root.GetProperty("sequence").GetInt64(),
                    root.GetProperty("stream").GetString()!,
                    root.GetProperty("version").GetInt64(),
                    root.GetProperty("type").GetString()!,
                    DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    root.GetProperty("data").GetRawText(),
                    root.GetProperty("hash").GetString());
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"Line {lineNumber} of the export is not a ledger event: {e.Message}", e);
            }

            yield return stored;
        }
    }
}
