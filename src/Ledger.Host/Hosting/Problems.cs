namespace Ledger.Host.Hosting;

/// <summary>RFC 9457 problem details the API answers with. Types are stable URIs documented in docs/api.md.</summary>
public static class Problems
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
}
