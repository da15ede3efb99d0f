using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// JSON text for the canonical form's tests, generated from a seed so every run sees the same
/// documents: random values written in random spellings (escapes, spacing, number forms), event
/// payloads shaped like the ledger's, and PostgreSQL's jsonb text of any value.
/// </summary>
internal sealed class JsonSamples(int seed)
{
    /// <summary>Names chosen to collide, prefix one another and straddle the UTF-8 / UTF-16 order difference.</summary>
    private static readonly string[] TrickyNames =
    [
        "", "a", "A", "ab", "abc", "b", "aa", "a\u0000", "\u0000", "é", "e\u0301", "\u00ff", "\u0100",
        "\ud7ff", "\ue000", "\uefff", "\uf000", "\ufb01", "\ufffd", "\uffff", "\U00010000", "\U0001f600", "\U0001f600a",
        "\U0010ffff", "日本", "日本語", "quote\"d", "back\\slash", "new\nline", "tab\t", "ctl\u0001", "del\u007f",
        "slash/", "\u2028", "recordedBy", "recordedAt", "code", "countries",
    ];

    /// <summary>Characters for random strings: plain, escapable, controls, non-ASCII, surrogate pairs.</summary>
    private static readonly string[] Characters =
    [
        "a", "Z", "0", " ", "-", ":", ",", "{", "]", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u0001",
        "\u001f", "\u007f", "é", "ß", "\u0080", "\u07ff", "\u0800", "\u2028", "\u2029", "\ud7ff", "\ue000", "\ufeff",
        "\ufffd", "\uffff", "日", "ي", "\U00010000", "\U0001f600", "\U0010ffff",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "42", "1.50", "-0.0", "0.001", "1e5", "1E5", "1e+5", "1E-5", "-2.5e-3", "3.0E+10",
        "123456789012345678901234567890", "-9223372036854775809", "18446744073709551616", "1.7976931348623157e309",
        "5e-324", "0.1000000000000000055511151231257827",
    ];

    private static readonly string[] WhiteSpace = ["", "", "", " ", "\n", "\r\n", "\t", "  \n    "];

    private static readonly string[] Countries = ["KAZ", "SAU", "TUR", "EGY", "IDN", "MYS", "PAK", "NGA", "SEN", "MAR", "JOR", "QAT"];

    private static readonly string?[] Organizations = ["IOFS", "OIC", "UNDP", "FAO", "ICYF", "COMCEC", "UNESCO", "IsDB", "SESRIC", null];

    private static readonly string[] Words =
    [
        "cooperation", "capacity", "building", "food", "security", "the", "of", "and", "programme", "regional", "youth",
        "coopération", "sécurité", "alimentaire", "Организация", "التعاون", "الإسلامي", "食品", "安全", "\"quoted\"",
        "line\nbreak", "tab\there", "back\\slash", "emoji \U0001f30d", "50%", "<b>", "&amp;", "path/to",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A random value written as JSON text with random spacing and escapes.</summary>
    public string Document(int maxDepth = 5)
    {
        var text = new StringBuilder();
        WriteValue(text, maxDepth);
        return Space() + text + Space();
    }

    /// <summary>A random string of the characters above (surrogate pairs kept whole).</summary>
    public string Text(int maxLength = 12)
    {
        var text = new StringBuilder();
        var length = _random.Next(maxLength + 1);
        for (var i = 0; i < length; i++)
        {
            text.Append(Pick(Characters));
        }

        return text.ToString();
    }

    /// <summary>A string with unpaired surrogates too, which JSON text may not hold but stream names might.</summary>
    public string BrokenText()
    {
        var text = new StringBuilder(Text(6));
        text.Insert(_random.Next(text.Length + 1), _random.Next(2) == 0 ? '\ud83d' : '\ude00');
        return text.ToString();
    }

    /// <summary>An event's data as the ledger's serializer writes it (camelCase, compact, non-ASCII escaped as \uXXXX).</summary>
    public string EventPayload()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("code", $"AST-2024-{_random.Next(1, 99):00}");
            json.WriteString("meeting", "AST-2024");
            json.WriteString("title", Sentence(4, 14));
            json.WriteString("kind", Pick(["pledge", "matrix-line", "recommendation"]));
            json.WriteString("status", Pick(["pledged", "in-progress", "completed", "withdrawn"]));
            WriteStrings(json, "leads", Organizations.OfType<string>(), 1, 3);
            WriteStrings(json, "partners", Organizations.OfType<string>(), 0, 4);
            WriteStrings(json, "countries", Countries, 0, 8);
            if (_random.Next(3) == 0)
            {
                json.WriteNull("workingSession");
            }
            else
            {
                json.WriteNumber("workingSession", _random.Next(1, 6));
            }

            json.WriteString("topic", Sentence(2, 8));
            WriteStrings(json, "frameworks", ["UN-2030", "OIC-2025", "SDG-2", "SDG-17"], 0, 3);
            json.WriteString("dueDate", $"20{_random.Next(24, 30)}-{_random.Next(1, 13):00}-{_random.Next(1, 29):00}");
            json.WriteString("basis", Pick(["stated", "agendaTopic", "recorded"]));
            json.WriteStartObject("inferred");
            for (var i = _random.Next(3); i > 0; i--)
            {
                json.WriteString(Pick(["leads", "countries", "dueDate", "topic"]) + i.ToString(CultureInfo.InvariantCulture), Sentence(3, 10));
            }

            json.WriteEndObject();
            json.WriteStartObject("source");
            json.WriteString("fact", Sentence(3, 12));
            json.WriteString("by", Pick(Organizations));
            json.WriteString("text", Sentence(5, 30));
            json.WriteString("source", "shared/seeds/unoic-astana-2024-article.txt");
            json.WriteEndObject();
            json.WriteStartObject("pledgedOn");
            json.WriteString("date", $"2024-07-{_random.Next(22, 25)}");
            json.WriteString("precision", Pick(["day", "month"]));
            json.WriteEndObject();
            json.WriteStartObject("recordedBy");
            json.WriteString("user", Pick(["secretariat@iofs.org", "ledger-import", "analyst@oic-oci.org"]));
            json.WriteString("organization", Pick(Organizations));
            json.WriteEndObject();
            json.WriteString("recordedAt", $"2024-07-{_random.Next(22, 25)}T{_random.Next(24):00}:{_random.Next(60):00}:{_random.Next(60):00}.{_random.Next(1_000_000):000000}Z");
            json.WriteNumber("percentComplete", _random.Next(101));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// The text PostgreSQL returns for a jsonb value: members ordered by the byte length of their
    /// names and then by bytes, the last of equal names kept, ": " and ", " between tokens.
    /// </summary>
    public static string Jsonb(string json)
    {
        using var document = JsonDocument.Parse(json);
        var text = new StringBuilder();
        WriteJsonb(document.RootElement, text);
        return text.ToString();
    }

    /// <summary>Changes the text in one to three random places, mostly into text that is no longer JSON.</summary>
    public string Mutate(string json)
    {
        string[] pieces = ["{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud83d", "\\ude00", "\\u00e9", "0", "-", ".", "e", "+",
            "t", "true", "n", "x", " ", "\n", "\u0001", "\ud83d", "\ude00", "\ufeff", "\u00a0", "/", "/*c*/"];
        var text = new StringBuilder(json);
        for (var changes = _random.Next(1, 4); changes > 0; changes--)
        {
            var at = _random.Next(text.Length + 1);
            switch (_random.Next(3))
            {
                case 0 when at < text.Length:
                    text.Remove(at, 1);
                    break;
                case 1 when at < text.Length:
                    text[at] = Pick(pieces)[0];
                    break;
                default:
                    text.Insert(at, Pick(pieces));
                    break;
            }
        }

        return text.ToString();
    }

    private void WriteValue(StringBuilder text, int depth)
    {
        switch (_random.Next(depth > 0 ? 8 : 5))
        {
            case 0:
                WriteString(text, Text());
                break;
            case 1:
                text.Append(Pick(Numbers));
                break;
            case 2:
                text.Append(Pick(["true", "false", "null"]));
                break;
            case 3:
                WriteString(text, Pick(TrickyNames));
                break;
            case 4:
                text.Append(Pick(Numbers));
                break;
            case 5:
            case 6:
                WriteObject(text, depth);
                break;
            default:
                text.Append('[');
                var items = _random.Next(5);
                for (var i = 0; i < items; i++)
                {
                    text.Append(i > 0 ? "," : string.Empty).Append(Space());
                    WriteValue(text, depth - 1);
                    text.Append(Space());
                }

                text.Append(items == 0 ? Space() : string.Empty).Append(']');
                break;
        }
    }

    private void WriteObject(StringBuilder text, int depth)
    {
        text.Append('{');
        // Now and then an object too large to be sorted in place.
        var members = _random.Next(20) == 0 ? _random.Next(50, 120) : _random.Next(8);
        for (var i = 0; i < members; i++)
        {
            text.Append(i > 0 ? "," : string.Empty).Append(Space());
            WriteString(text, _random.Next(3) == 0 ? Text(6) : Pick(TrickyNames));
            text.Append(Space()).Append(':').Append(Space());
            WriteValue(text, depth - 1);
            text.Append(Space());
        }

        text.Append(members == 0 ? Space() : string.Empty).Append('}');
    }

    /// <summary>Writes a string, each character literally where JSON allows it or in one of its escapes.</summary>
    private void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length)
            {
                if (_random.Next(2) == 0)
                {
                    text.Append(c).Append(value[i + 1]);
                }
                else
                {
                    text.Append(UnicodeEscape(c)).Append(UnicodeEscape(value[i + 1]));
                }

                i++;
                continue;
            }

            var plain = c >= 0x20 && c != '"' && c != '\\';
            if (plain && _random.Next(4) > 0)
            {
                text.Append(c);
                continue;
            }

            var shortEscape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '/' => "\\/",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => null,
            };
            text.Append(shortEscape is not null && _random.Next(2) == 0 ? shortEscape : UnicodeEscape(c));
        }

        text.Append('"');
    }

    private string UnicodeEscape(char c)
    {
        var hex = ((int)c).ToString("x4", CultureInfo.InvariantCulture);
        return "\\u" + (_random.Next(2) == 0 ? hex : hex.ToUpperInvariant());
    }

    private void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> choices, int least, int most)
    {
        var pool = choices.ToArray();
        json.WriteStartArray(name);
        for (var i = _random.Next(least, most + 1); i > 0; i--)
        {
            json.WriteStringValue(Pick(pool));
        }

        json.WriteEndArray();
    }

    private string Sentence(int least, int most)
    {
        var words = new string[_random.Next(least, most + 1)];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Pick(Words);
        }

        return string.Join(' ', words);
    }

    private string Space() => Pick(WhiteSpace);

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private static void WriteJsonb(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = element.EnumerateObject()
                    .GroupBy(p => p.Name, StringComparer.Ordinal)
                    .Select(g => g.Last())
                    .OrderBy(p => Encoding.UTF8.GetByteCount(p.Name))
                    .ThenBy(p => Encoding.UTF8.GetBytes(p.Name), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)));
                text.Append('{');
                var first = true;
                foreach (var member in members)
                {
                    text.Append(first ? string.Empty : ", ");
                    first = false;
                    WriteJsonbString(member.Name, text);
                    text.Append(": ");
                    WriteJsonb(member.Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[').AppendJoin(", ", element.EnumerateArray().Select(item =>
                {
                    var itemText = new StringBuilder();
                    WriteJsonb(item, itemText);
                    return itemText.ToString();
                })).Append(']');
                break;
            case JsonValueKind.String:
                WriteJsonbString(element.GetString()!, text);
                break;
            default:
                text.Append(element.GetRawText());
                break;
        }
    }

    /// <summary>Escapes as PostgreSQL's escape_json does.</summary>
    private static void WriteJsonbString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        text.Append('"');
    }
}
