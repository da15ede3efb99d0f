using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// Compares two JSON documents structurally: object members in any order, arrays element by element,
/// numbers by value. Each difference names its path (<c>$.lines[3].status</c>) and both values.
/// </summary>
public static class JsonDiff
{
    public static void Compare(string projection, string document, JsonNode? live, JsonNode? rebuilt, List<DocumentDifference> found)
    {
        if (live is null && rebuilt is null)
        {
            return;
        }

        if (live is null || rebuilt is null)
        {
            found.Add(new DocumentDifference(projection, document, "$", Text(live) ?? "(missing)", Text(rebuilt) ?? "(missing)"));
            return;
        }

        Walk(projection, document, "$", live, rebuilt, found);
    }

    private static void Walk(string projection, string document, string path, JsonNode? live, JsonNode? rebuilt, List<DocumentDifference> found)
    {
        switch (live, rebuilt)
        {
            case (JsonObject l, JsonObject r):
                foreach (var name in l.Select(p => p.Key).Union(r.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    var inLive = l.TryGetPropertyValue(name, out var lv);
                    var inRebuilt = r.TryGetPropertyValue(name, out var rv);
                    if (inLive != inRebuilt)
                    {
                        found.Add(new DocumentDifference(
                            projection, document, $"{path}.{name}", inLive ? Text(lv) : "(absent)", inRebuilt ? Text(rv) : "(absent)"));
                    }
                    else
                    {
                        Walk(projection, document, $"{path}.{name}", lv, rv, found);
                    }
                }

                break;

            case (JsonArray l, JsonArray r):
                if (l.Count != r.Count)
                {
                    found.Add(new DocumentDifference(projection, document, $"{path}.length", $"{l.Count}", $"{r.Count}"));
                }

                for (var i = 0; i < Math.Max(l.Count, r.Count); i++)
                {
                    Walk(projection, document, $"{path}[{i}]", i < l.Count ? l[i] : null, i < r.Count ? r[i] : null, found);
                }

                break;

            default:
                if (!SameValue(live, rebuilt))
                {
                    found.Add(new DocumentDifference(projection, document, path, Text(live), Text(rebuilt)));
                }

                break;
        }
    }

    private static bool SameValue(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a is JsonValue va && b is JsonValue vb
            && va.GetValueKind() == JsonValueKind.Number && vb.GetValueKind() == JsonValueKind.Number)
        {
            return va.GetValue<decimal>() == vb.GetValue<decimal>();
        }

        return JsonNode.DeepEquals(a, b);
    }

    private static string? Text(JsonNode? node) => node?.ToJsonString();
}
