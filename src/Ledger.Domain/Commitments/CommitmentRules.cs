using Ledger.Domain.Common;

namespace Ledger.Domain.Commitments;

/// <summary>Field rules shared by pledging and amending.</summary>
internal static class CommitmentRules
{
    public const int TitleMaxLength = 300;
    public const int TopicMaxLength = 200;
    public const int ReasonMaxLength = 2000;
    public const int NarrativeMaxLength = 8000;
    public const int MaxListLength = 60;

    public static Validation Organizations(this Validation v, IReadOnlyList<string>? codes, string field, ReferenceCatalog catalog, bool required)
    {
        if (codes is null)
        {
            return required ? v.Add(field, "is required") : v;
        }

        if (required && codes.Count == 0)
        {
            return v.Add(field, "needs at least one organization");
        }

        return v.Codes(codes, field, catalog.IsOrganization, "is not a known organization");
    }

    public static Validation Countries(this Validation v, IReadOnlyList<string>? codes, string field = "countries") =>
        codes is null ? v : v.Codes(codes, field, CountryCodes.IsAssigned, "is not an ISO 3166-1 alpha-3 country code");

    public static Validation Frameworks(this Validation v, IReadOnlyList<string>? codes, ReferenceCatalog catalog, string field = "frameworks") =>
        codes is null ? v : v.Codes(codes, field, catalog.IsFramework, "is not a known framework");

    public static Validation SessionAndTopic(this Validation v, string meeting, int? session, string? topic, ReferenceCatalog catalog)
    {
        if (session is null)
        {
            return topic is null ? v : v.Add("topic", "needs a working session");
        }

        var known = catalog.Session(meeting, session.Value);
        if (known is null)
        {
            return v.Add("workingSession", $"meeting {meeting} has no working session {session}", RefusalKind.Unknown);
        }

        if (topic is not null && !known.Topics.Contains(topic, StringComparer.Ordinal))
        {
            v.Add("topic", $"is not a topic of working session {session} ({known.Title})", RefusalKind.Unknown);
        }

        return v;
    }

    private static Validation Codes(this Validation v, IReadOnlyList<string> codes, string field, Func<string, bool> isKnown, string unknown)
    {
        if (codes.Count > MaxListLength)
        {
            return v.Add(field, $"must list at most {MaxListLength} codes");
        }

        for (var i = 0; i < codes.Count; i++)
        {
            if (string.IsNullOrEmpty(codes[i]) || !isKnown(codes[i]))
            {
                v.Add($"{field}[{i}]", $"'{codes[i]}' {unknown}", RefusalKind.Unknown);
            }
        }

        var duplicates = codes.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        return duplicates.Count == 0 ? v : v.Add(field, "lists " + string.Join(", ", duplicates) + " more than once");
    }
}
