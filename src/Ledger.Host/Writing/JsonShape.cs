using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Common;
using Ledger.Host.Hosting;

namespace Ledger.Host.Writing;

/// <summary>
/// The shape every JSON body has before a route reads it, checked in one pass over its bytes:
/// well-formed JSON whose root is an object; nested at most <see cref="ApiJson"/>'s depth; no property
/// given twice in one object, in any case (parsers disagree on which one wins, so the ledger accepts
/// neither);
/// no <c>null</c> inside a list (no list of the API holds one); and no string, property name included,
/// with a character no text field can hold (<see cref="TextRules"/> for multi-line text). What each field
/// means (its type, its range, whether it is one line) is then the route's and the domain's to decide.
/// </summary>
public static class JsonShape
{
    /// <summary>The refusal of <paramref name="utf8"/>, naming the field where it went wrong; null when its shape is right.</summary>
    public static Refusal? Check(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = ApiJson.Options.MaxDepth });
        var path = new List<Frame>();
        try
        {
            if (!reader.Read())
            {
                return new Refusal("is required: send a JSON object", "body");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return new Refusal("must be a JSON object", "body");
            }

            path.Add(new Frame(IsObject: true));
            while (reader.Read())
            {
                var top = path[^1];
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        top.Property = name;
                        if (TextRules.Refuse(name, multiline: true) is { } badName)
                        {
                            return new Refusal("has a name that " + badName, Describe(path));
                        }

                        if (!top.Names!.Add(name))
                        {
                            return new Refusal("is given more than once", Describe(path));
                        }

                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        continue;
                }

                if (!top.IsObject)
                {
                    top.Index++;
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        return new Refusal("must not be null: a list holds values", Describe(path));
                    }
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        path.Add(new Frame(IsObject: true));
                        break;
                    case JsonTokenType.StartArray:
                        path.Add(new Frame(IsObject: false));
                        break;
                    case JsonTokenType.String when TextRules.Refuse(reader.GetString()!, multiline: true) is { } badText:
                        return new Refusal(badText, Describe(path));
                }
            }

            return null;
        }
        catch (JsonException e)
        {
            var at = e.BytePositionInLine is { } position
                ? string.Create(CultureInfo.InvariantCulture, $" (line {e.LineNumber + 1}, byte {position + 1})")
                : string.Empty;
            var reason = path.Count >= ApiJson.Options.MaxDepth
                ? $"nests deeper than {ApiJson.Options.MaxDepth} levels"
                : "is not valid JSON" + at;
            return new Refusal(reason, path.Count == 0 ? "body" : Describe(path));
        }
        catch (InvalidOperationException)
        {
            // A string whose bytes or escapes are not valid UTF-8 / UTF-16 (a half surrogate pair, say).
            return new Refusal("must be valid Unicode text", path.Count == 0 ? "body" : Describe(path));
        }
    }

    /// <summary>The field a position names, as the refusals of the routes write it: <c>reviews[1].remarks</c>.</summary>
    private static string Describe(List<Frame> path)
    {
        var text = new StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsObject)
            {
                if (frame.Property is { } property)
                {
                    text.Append(text.Length == 0 ? string.Empty : ".").Append(TextRules.Printable(property));
                }
            }
            else if (frame.Index >= 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{frame.Index}]");
            }
        }

        return text.Length == 0 ? "body" : text.ToString();
    }

    private sealed class Frame(bool IsObject)
    {
        public bool IsObject { get; } = IsObject;

        /// <summary>The property being read (objects).</summary>
        public string? Property { get; set; }

        /// <summary>The element being read (lists): -1 before the first.</summary>
        public int Index { get; set; } = -1;

        public HashSet<string>? Names { get; } = IsObject ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) : null;
    }
}
