using System.Buffers;
using Ledger.Domain.Common;

namespace Ledger.Host.Hosting;

/// <summary>
/// Checks every query parameter and every path value of every route once, before authentication and
/// before any endpoint reads them: no API parameter is free text, so each is one line of text that
/// <see cref="TextRules"/> accepts (no control, bidirectional-formatting or invisible characters, no
/// half surrogate pair); a parameter is given at most once; and the parameters that name a code
/// (<see cref="CodeParameters"/>) hold a code. A refusal is a 400 <c>invalid-query</c> problem naming
/// the parameter. (A NUL in the path never gets here: the server refuses the request line itself.)
/// </summary>
public static class RequestValues
{
    /// <summary>
    /// Parameters that are codes wherever the API uses them: commitment, meeting, organization and
    /// country codes, always made of ASCII letters, digits, dashes and dots (<c>GVA-2022-2.3</c>, <c>AFG</c>).
    /// </summary>
    public static readonly IReadOnlySet<string> CodeParameters =
        new HashSet<string>(["code", "iso3", "meeting", "org", "country"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The longest code: a commitment code.</summary>
    public const int MaxCodeLength = 32;

    private static readonly SearchValues<char> CodeCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.");

    public static IApplicationBuilder UseRequestValueChecks(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (Refuse(name, values.Count == 1 ? values[0] ?? string.Empty : null) is { } reason)
            {
                return Problems.BadQuery(TextRules.Printable(name), reason).ExecuteAsync(context);
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && Refuse(name, text) is { } reason)
            {
                return Problems.BadQuery(name, reason, "Path parameter").ExecuteAsync(context);
            }
        }

        return next(context);
    });

    /// <summary>Why the parameter cannot be used (its value null when it was given more than once), or null.</summary>
    private static string? Refuse(string name, string? value)
    {
        if (TextRules.Refuse(name) is { } badName)
        {
            return "has a name that " + badName;
        }

        if (value is null)
        {
            return "is given more than once";
        }

        if (TextRules.Refuse(value) is { } badValue)
        {
            return badValue;
        }

        return CodeParameters.Contains(name) && !IsCode(value)
            ? $"must be a code of 1 to {MaxCodeLength} letters, digits, dashes and dots"
            : null;
    }

    private static bool IsCode(string value) =>
        value.Length is > 0 and <= MaxCodeLength && !value.AsSpan().ContainsAnyExcept(CodeCharacters);
}
