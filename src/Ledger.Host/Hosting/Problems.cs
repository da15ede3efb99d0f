using System.Text.RegularExpressions;
using Ledger.Domain.Common;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Host.Hosting;

/// <summary>RFC 9457 problem details the API answers with. Types are stable URIs documented in docs/api.md.</summary>
public static partial class Problems
{
    public const string TypeBase = "https://unoic-ledger.example/problems/";

    public static IResult NotFound(string what, string code) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"{what} not found",
        detail: $"No {what.ToLowerInvariant()} has the code '{code}'.",
        type: TypeBase + "not-found");

    public static IResult BadQuery(string parameter, string reason) => Results.ValidationProblem(
        new Dictionary<string, string[]> { [parameter] = [reason] },
        title: "Invalid query",
        detail: $"Query parameter '{parameter}' {reason}.",
        type: TypeBase + "invalid-query");

    public static IResult BadRequest(string field, string reason) => Invalid([new Refusal(reason, field)]);

    /// <summary>
    /// A refused command: 400 when the input itself is wrong, 422 when it is well formed but the
    /// commitment's state does not allow it (an illegal status transition, say).
    /// </summary>
    public static IResult Refused(IReadOnlyList<Refusal> refusals) =>
        refusals.All(r => r.Kind == RefusalKind.NotAllowed) ? NotAllowed(refusals) : Invalid(refusals);

    public static IResult Conflict(string title, string detail) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail, type: TypeBase + "conflict");

    public static IResult Forbidden(string detail) => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail, type: TypeBase + "forbidden");

    private static IResult Invalid(IReadOnlyList<Refusal> refusals) => Results.ValidationProblem(
        Errors(refusals),
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is invalid",
        detail: Describe(refusals),
        type: TypeBase + "invalid-request");

    private static IResult NotAllowed(IReadOnlyList<Refusal> refusals) => Results.ValidationProblem(
        Errors(refusals),
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Not allowed in the commitment's current state",
        detail: Describe(refusals),
        type: TypeBase + "not-allowed");

    private static Dictionary<string, string[]> Errors(IReadOnlyList<Refusal> refusals) =>
        refusals.GroupBy(r => r.Field ?? "body").ToDictionary(g => g.Key, g => g.Select(r => r.Reason).ToArray());

    private static string Describe(IReadOnlyList<Refusal> refusals) =>
        string.Join("; ", refusals.Select(r => r.Field is null ? r.Reason : $"{r.Field} {r.Reason}")) + ". Nothing was recorded.";

    /// <summary>
    /// Gives the JSON reader's refusals (unknown field, wrong type, impossible date) the ledger's own
    /// problem type, names the offending field, and keeps internal type names out of the answer.
    /// </summary>
    public static void Polish(ProblemDetails problem)
    {
        if (problem.Title != "Invalid JSON format" || problem.Detail is not { } detail)
        {
            return;
        }

        var unknown = UnknownMember().Match(detail);
        var path = JsonPath().Match(detail);
        var field = unknown.Success ? unknown.Groups[1].Value : path.Success ? path.Groups[1].Value.TrimStart('$', '.') : "body";
        var reason = unknown.Success
            ? "is not a field of this request"
            : path.Success ? "has a value of the wrong type or format" : "is not valid JSON";
        problem.Type = TypeBase + "invalid-json";
        problem.Title = "The request body could not be read";
        problem.Detail = $"{(field.Length == 0 ? "body" : field)} {reason}. Nothing was recorded.";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [reason] };
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"Path: (\$[^ |]*)")]
    private static partial Regex JsonPath();
}
