using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Audit;

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Items, long? Next);

public sealed record LedgerEntry(long Sequence, string Stream, HistoryEntry Event);

/// <summary>A saved digest to check against (optional).</summary>
public sealed record VerifyRequest(LedgerDigest? Digest);

public sealed record VerifyResult(
    bool Intact, long EventsChecked, long Streams, long FillerRows, long TreeLeavesCompared, LedgerDigest Digest, Finding? FirstFinding, IReadOnlyList<Finding> Findings);

/// <summary>The auditors' view of the whole ledger: feed, export, digest, verification and proofs.</summary>
public static class LedgerEndpoints
{
    public const int MaxPage = 1000;

    [WolverineGet("/api/ledger/events", OperationId = "listLedgerEvents")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<LedgerPage>(StatusCodes.Status200OK)]
    public static async Task<IResult> Events(RawEvents raw, EventReadings readings, CancellationToken ct, long after = 0, int limit = 100)
    {
        if (PageProblem(after, limit) is { } problem)
        {
            return problem;
        }

        var rows = await raw.ReadAsync(after, limit, ct: ct).ToListAsync(ct);
        var items = rows.Zip(await HistoryEndpoint.ToEntriesAsync(rows, readings, ct), (row, entry) => new LedgerEntry(row.Event.Sequence, row.Event.Stream, entry))
            .ToList();

        return Results.Json(new LedgerPage(items, items.Count == limit ? items[^1].Sequence : null), ApiJson.Options);
    }

    [WolverineGet("/api/ledger/export", OperationId = "exportLedger")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [Produces("application/x-ndjson", "text/csv")]
    public static async Task Export(HttpContext http, RawEvents raw, CancellationToken ct, string format = "jsonl", long after = 0)
    {
        if (!TryParseFormat(format, out var parsed) || after < 0)
        {
            await (after < 0
                ? Problems.BadQuery("after", "must be 0 or more")
                : Problems.BadQuery("format", "must be jsonl or csv")).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = parsed == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"ledger-after-{after}.{(parsed == ExportFormat.Csv ? "csv" : "jsonl")}\"";
        await LedgerExport.WriteAsync(raw.ReadAsync(after, ct: ct), parsed, http.Response.Body, null, ct);
    }

    [WolverineGet("/api/ledger/digest", OperationId = "getLedgerDigest")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<LedgerDigest>(StatusCodes.Status200OK)]
    public static async Task<IResult> Digest(LedgerAudit audit, CancellationToken ct) =>
        Results.Json(await audit.DigestAsync(ct), ApiJson.Options);

    [WolverinePost("/api/ledger/verify", OperationId = "verifyLedger")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [Consumes(typeof(VerifyRequest), "application/json", IsOptional = true)]
    [ProducesResponseType<VerifyResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> Verify(HttpContext http, LedgerAudit audit, CancellationToken ct)
    {
        LedgerDigest? saved = null;
        if (http.Request.Body.CanSeek && http.Request.Body.Length > 0)
        {
            try
            {
                saved = (await JsonSerializer.DeserializeAsync<VerifyRequest>(http.Request.Body, ApiJson.Options, ct))?.Digest;
            }
            catch (JsonException e)
            {
                return Problems.UnreadableJson(e);
            }

            if (saved?.Refusals() is { Count: > 0 } refusals)
            {
                return Problems.Refused(refusals);
            }
        }

        var report = await audit.VerifyAsync(saved, null, ct);
        return Results.Json(
            new VerifyResult(report.Intact, report.EventsChecked, report.Streams, report.FillerRows, report.TreeLeavesCompared, report.Digest, report.First, report.Findings),
            ApiJson.Options);
    }

    [WolverineGet("/api/ledger/proofs/inclusion", OperationId = "getInclusionProof")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<InclusionProof>(StatusCodes.Status200OK)]
    public static async Task<IResult> Inclusion(LedgerAudit audit, CancellationToken ct, long sequence = 0, long? treeSize = null) =>
        await audit.InclusionAsync(sequence, treeSize, ct) is { } proof
            ? Results.Json(proof, ApiJson.Options)
            : Problems.BadQuery("sequence", "must be the sequence of a ledger event inside a tree of that size");

    [WolverineGet("/api/ledger/proofs/consistency", OperationId = "getConsistencyProof")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<ConsistencyProof>(StatusCodes.Status200OK)]
    public static async Task<IResult> Consistency(LedgerAudit audit, CancellationToken ct, long from = 0, long? to = null) =>
        await audit.ConsistencyAsync(from, to, ct) is { } proof
            ? Results.Json(proof, ApiJson.Options)
            : Problems.BadQuery("from", "must be a tree size from 1 to the size proved against");

    /// <summary>The refusal of a page's <c>after</c> (0 or more) and <c>limit</c> (1 to <see cref="MaxPage"/>); null when both are fine.</summary>
    public static IResult? PageProblem(long after, int limit) =>
        after < 0 ? Problems.BadQuery("after", "must be 0 or more")
        : limit is < 1 or > MaxPage ? Problems.BadQuery("limit", $"must be between 1 and {MaxPage}")
        : null;

    public static bool TryParseFormat(string format, out ExportFormat parsed)
    {
        parsed = format.ToLowerInvariant() switch
        {
            "jsonl" or "ndjson" => ExportFormat.Jsonl,
            "csv" => ExportFormat.Csv,
            _ => (ExportFormat)(-1),
        };
        return Enum.IsDefined(parsed);
    }
}
