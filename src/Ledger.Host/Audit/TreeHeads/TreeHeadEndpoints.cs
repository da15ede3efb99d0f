using System.Globalization;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>The ledger's signed tree heads: the sequence it issued, the newest one, its keys, and a head signed on demand.</summary>
public static class TreeHeadEndpoints
{
    [WolverineGet("/api/ledger/tree-heads", OperationId = "listTreeHeads")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<TreeHeadPage>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(TreeHeadLog heads, CancellationToken ct, long after = 0, int limit = 100) =>
        LedgerEndpoints.PageProblem(after, limit) ?? Results.Json(await heads.PageAsync(after, limit, ct), ApiJson.Options);

    [WolverineGet("/api/ledger/tree-heads/latest", OperationId = "getLatestTreeHead")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<TreeHeadEntry>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Latest(TreeHeadLog heads, CancellationToken ct) =>
        await heads.LatestAsync(ct) is { } latest
            ? Results.Json(latest, ApiJson.Options)
            : Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No tree head yet",
                detail: "The ledger has not signed a tree head yet: POST /api/ledger/tree-heads signs one.",
                type: Problems.TypeBase + "not-found");

    [WolverineGet("/api/ledger/tree-heads/keys", OperationId = "listTreeHeadKeys")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<TreeHeadKeys>(StatusCodes.Status200OK)]
    public static async Task<IResult> Keys(TreeHeadLog heads, CancellationToken ct) =>
        Results.Json(await heads.KeysAsync(ct), ApiJson.Options);

    /// <summary>Signs the tree now: 201 with the new head, or 200 with the last one when the tree has not grown since.</summary>
    [WolverinePost("/api/ledger/tree-heads", OperationId = "signTreeHead")]
    [Tags("Ledger")]
    [Authorize(Policy = LedgerPolicies.Audit)]
    [ProducesResponseType<TreeHeadEntry>(StatusCodes.Status201Created)]
    [ProducesResponseType<TreeHeadEntry>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Sign(HttpContext http, TreeHeadLog heads, CancellationToken ct)
    {
        var issue = await heads.IssueAsync(ct);
        switch (issue.Kind)
        {
            case TreeHeadIssueKind.Issued:
                http.Response.Headers.Location = string.Create(CultureInfo.InvariantCulture, $"/api/ledger/tree-heads?after={issue.Head!.Id - 1}&limit=1");
                return Results.Json(issue.Head, ApiJson.Options, statusCode: StatusCodes.Status201Created);
            case TreeHeadIssueKind.Unchanged:
                return Results.Json(issue.Head, ApiJson.Options);
            case TreeHeadIssueKind.NoKey:
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Tree heads are not signed here", detail: issue.Detail,
                    type: Problems.TypeBase + "tree-heads-off");
            case TreeHeadIssueKind.NothingToSign:
                return Results.Problem(
                    statusCode: StatusCodes.Status409Conflict, title: "Nothing to sign", detail: issue.Detail, type: Problems.TypeBase + "nothing-to-sign");
            default:
                return Results.Problem(
                    statusCode: StatusCodes.Status409Conflict, title: "The tree no longer extends the last signed head", detail: issue.Detail,
                    type: Problems.TypeBase + "tree-head-refused");
        }
    }
}
