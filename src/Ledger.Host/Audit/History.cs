using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Audit;

/// <summary>A business date an event refers to, when it has one.</summary>
public sealed record EffectiveDate(string Date, string Precision);

/// <summary>
/// One event of a commitment's history, as stored, with everything an auditor checks. <see cref="Type"/> is the stored
/// type name, which says the event's version; an event stored under an earlier version's name also carries
/// <see cref="ReadAs"/>: how the ledger reads it now (the current version's name and data).
/// </summary>
public sealed record HistoryEntry(
    long Sequence,
    long Version,
    string Type,
    JsonElement Data,
    string RecordedAt,
    EffectiveDate? EffectiveAt,
    string? User,
    string? Organization,
    string? CorrelationId,
    string? CausationId,
    string? CallerReference,
    string? IdempotencyKey,
    string? Hash,
    EventReading? ReadAs = null);

public sealed record CommitmentHistory(string Code, IReadOnlyList<HistoryEntry> Events);

public static class HistoryEndpoint
{
    [WolverineGet("/api/commitments/{code}/history", OperationId = "getCommitmentHistory")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<CommitmentHistory>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(string code, RawEvents raw, EventReadings readings, CancellationToken ct)
    {
        code = code.ToUpperInvariant();
        var rows = await raw.ReadAsync(stream: code, ct: ct).ToListAsync(ct);
        return rows.Count == 0
            ? Problems.NotFound("Commitment", code)
            : Results.Json(new CommitmentHistory(code, await ToEntriesAsync(rows, readings, ct)), ApiJson.Options);
    }

    /// <summary>The entries of <paramref name="rows"/>, each stored under an earlier version's name with its reading now.</summary>
    public static async Task<IReadOnlyList<HistoryEntry>> ToEntriesAsync(IReadOnlyList<RawEvent> rows, EventReadings readings, CancellationToken ct)
    {
        var readAs = await readings.OfEarlierVersionsAsync(rows, ct);
        return [.. rows.Select(row => ToEntry(row) with { ReadAs = readAs.GetValueOrDefault(row.Event.Sequence) })];
    }

    public static HistoryEntry ToEntry(RawEvent row)
    {
        var e = row.Event;
        using var document = JsonDocument.Parse(e.Data);
        var data = document.RootElement.Clone();
        string? organization = data.TryGetProperty("recordedBy", out var by) && by.TryGetProperty("organization", out var org)
            && org.ValueKind == JsonValueKind.String ? org.GetString() : null;
        return new HistoryEntry(e.Sequence, e.Version, e.Type, data, EventHash.TimestampText(e.Timestamp), Effective(data),
            row.User, organization, row.CorrelationId, row.CausationId, row.CallerReference, row.IdempotencyKey, e.Hash);
    }

    /// <summary>The business date of an event: when a pledge was made, what date a report describes, when a withdrawal takes effect.</summary>
    public static EffectiveDate? Effective(JsonElement data)
    {
        foreach (var name in (string[])["pledgedOn", "asOf", "effectiveOn"])
        {
            if (!data.TryGetProperty(name, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return new EffectiveDate(value.GetString()!, "day");
            }

            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("date", out var date))
            {
                var precision = value.TryGetProperty("precision", out var p) ? p.GetString()!.ToLowerInvariant() : "day";
                return new EffectiveDate(date.GetString()!, precision);
            }
        }

        return null;
    }
}
