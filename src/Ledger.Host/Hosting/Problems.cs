using System.Text.Json;
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

    /// <summary>A query (or path) parameter the route cannot use; <c>errors</c> names it.</summary>
    public static IResult BadQuery(string parameter, string reason, string where = "Query parameter") => Results.ValidationProblem(
        new Dictionary<string, string[]> { [parameter] = [reason] },
        title: "Invalid query",
        detail: $"{where} '{parameter}' {reason}.",
        type: TypeBase + "invalid-query");

    /// <summary>A body that is not what the route reads: not JSON, not an object, a duplicated or unknown field, a value of the wrong type.</summary>
    public static IResult InvalidBody(string field, string reason)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status400BadRequest };
        DescribeInvalidBody(problem, field, reason);
        return Results.Problem(problem);
    }

    public static IResult BodyTooLarge(long max, long? declared) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: declared is { } length
            ? $"This endpoint accepts bodies of at most {max} bytes; this one has {length}. Nothing was recorded."
            : $"This endpoint accepts bodies of at most {max} bytes; this one is longer. Nothing was recorded.",
        type: TypeBase + "body-too-large");

    public static IResult UnsupportedMediaType(string detail) => Results.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: detail,
        type: TypeBase + "unsupported-media-type");

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
    /// Gives the problems the frameworks write the ledger's own types: the JSON reader's refusals (unknown
    /// field, wrong type, impossible date) name the offending field and keep internal type names out of the
    /// answer; an unparseable query value names its parameter; a media type or size refused by routing or
    /// the server gets the same type as the ledger's own refusals.
    /// </summary>
    public static void Polish(ProblemDetails problem)
    {
        switch (problem)
        {
            case { Title: "Invalid JSON format", Detail: { } detail }:
                DescribeJsonError(problem, detail);
                break;
            case { Title: "Invalid query string value" }:
                var parameter = problem.Extensions.TryGetValue("parameter", out var name) && name is string n ? n : "query";
                problem.Type = TypeBase + "invalid-query";
                problem.Title = "Invalid query";
                problem.Detail = $"Query parameter '{parameter}' must be a whole number within the range of its type.";
                problem.Extensions.Remove("parameter");
                problem.Extensions["errors"] = new Dictionary<string, string[]> { [parameter] = ["must be a whole number within the range of its type"] };
                break;
            case { Status: StatusCodes.Status415UnsupportedMediaType } when problem.Type?.StartsWith(TypeBase, StringComparison.Ordinal) != true:
                problem.Type = TypeBase + "unsupported-media-type";
                problem.Title = "Unsupported media type";
                problem.Detail ??= "This route does not accept a body of this media type; see the route's documentation.";
                break;
            case { Status: StatusCodes.Status413PayloadTooLarge } when problem.Type?.StartsWith(TypeBase, StringComparison.Ordinal) != true:
                problem.Type = TypeBase + "body-too-large";
                break;
        }
    }

    /// <summary>A body the JSON reader refused while an endpoint read it, described as <see cref="Polish"/> describes the framework's.</summary>
    public static IResult UnreadableJson(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var problem = new ProblemDetails { Status = StatusCodes.Status400BadRequest };
        DescribeJsonError(problem, error.Message);
        return Results.Problem(problem);
    }

    private static void DescribeJsonError(ProblemDetails problem, string detail)
    {
        var unknown = UnknownMember().Match(detail);
        var path = JsonPath().Match(detail);
        var field = unknown.Success ? unknown.Groups[1].Value : path.Success ? path.Groups[1].Value.TrimStart('$', '.') : "body";
        DescribeInvalidBody(problem, field, unknown.Success
            ? "is not a field of this request"
            : path.Success ? "has a value of the wrong type or format" : "is not valid JSON");
    }

    private static void DescribeInvalidBody(ProblemDetails problem, string field, string reason)
    {
        field = field.Length == 0 ? "body" : field;
        problem.Type = TypeBase + "invalid-json";
        problem.Title = "The request body could not be read";
        problem.Detail = $"{field} {reason}. Nothing was recorded.";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [reason] };
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"Path: (\$[^ |]*)")]
    private static partial Regex JsonPath();
}
