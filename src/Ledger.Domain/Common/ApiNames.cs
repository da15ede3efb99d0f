using System.Text.Json;

namespace Ledger.Domain.Common;

/// <summary>
/// The one spelling of the ledger's enum values outside C#: kebab-case (<c>InProgress</c> → <c>in-progress</c>).
/// The API's JSON, its query parameters, the matrix import, the activity feed's sentences, the rules' messages and
/// the BI views' SQL all derive their names from here. Stored documents keep C#'s names.
/// </summary>
public static class ApiNames
{
    /// <summary>The naming policy itself, for JSON converters.</summary>
    public static JsonNamingPolicy Policy => JsonNamingPolicy.KebabCaseLower;

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Policy.ConvertName(value.ToString());

    /// <summary>The value whose API name is <paramref name="text"/> (letters in any case); false for anything else, numbers included.</summary>
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
