using System.Globalization;

namespace Ledger.Host.Writing;

/// <summary>
/// The stream version a writer expects: from <c>If-Match: "3"</c> or from <c>expectedVersion</c> in
/// the body. Either is optional; given both, they must agree.
/// </summary>
public static class ExpectedVersion
{
    public static bool TryRead(HttpRequest request, long? fromBody, out long? expected, out string? error)
    {
        expected = fromBody;
        error = null;
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length == 0 || ifMatch == "*")
        {
            return Check(fromBody, ref error);
        }

        var tag = ifMatch.StartsWith("W/", StringComparison.Ordinal) ? ifMatch[2..] : ifMatch;
        if (tag.Length < 3 || tag[0] != '"' || tag[^1] != '"'
            || !long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var fromHeader))
        {
            error = "If-Match must be the commitment's ETag, a quoted version such as \"3\"";
            return false;
        }

        if (fromBody is not null && fromBody != fromHeader)
        {
            error = "If-Match and expectedVersion disagree";
            return false;
        }

        expected = fromHeader;
        return Check(expected, ref error);
    }

    private static bool Check(long? expected, ref string? error)
    {
        if (expected is < 1)
        {
            error = "the expected version of an existing commitment is 1 or more";
            return false;
        }

        return true;
    }
}
