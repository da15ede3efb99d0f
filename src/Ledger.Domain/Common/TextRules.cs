using System.Globalization;
using System.Text;

namespace Ledger.Domain.Common;

/// <summary>
/// Which characters the ledger's text may hold. Text is stored, hashed, exported and shown to auditors,
/// so it must be valid Unicode that displays as it is stored:
/// <list type="bullet">
/// <item>never: half of a surrogate pair; a control character (C0, DEL, C1) other than the line breaks
/// and tab of multi-line text; a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069), which make text display in another order than it is stored; an invisible
/// character with no place in prose (zero-width space U+200B, word joiner and invisible operators
/// U+2060–U+2064, zero-width no-break space or byte order mark U+FEFF, tag characters
/// U+E0000–U+E007F); a noncharacter (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF);</item>
/// <item>one line: also no line or paragraph separator (U+2028, U+2029);</item>
/// <item>kept: the directional marks LRM, RLM and ALM (U+200E, U+200F, U+061C) and the zero-width
/// (non-)joiners U+200C, U+200D, which Arabic, Persian, Urdu and Indic text and emoji need.</item>
/// </list>
/// </summary>
public static class TextRules
{
    public const string ControlInLine = "must be a single line without control characters";
    public const string ControlInText = "must not contain control characters";

    /// <summary>Why <paramref name="value"/> cannot be text of this kind, naming the first character refused; null when it can.</summary>
    public static string? Refuse(string value, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    var scalar = char.ConvertToUtf32(c, value[i + 1]);
                    if (Refused(scalar) is { } why)
                    {
                        return $"must not contain {Name(scalar)}, {why}";
                    }

                    i++;
                    continue;
                }

                return $"must be valid Unicode text: {Name(c)} at position {i + 1} is half of a surrogate pair";
            }

            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                if (multiline && c is '\n' or '\r' or '\t' or '\u2028' or '\u2029')
                {
                    continue;
                }

                return multiline ? ControlInText : ControlInLine;
            }

            if (Refused(c) is { } reason)
            {
                return $"must not contain {Name(c)}, {reason}";
            }
        }

        return null;
    }

    /// <summary>How a character is named in a refusal: <c>U+202E</c>.</summary>
    public static string Name(int scalar) => "U+" + scalar.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>Makes <paramref name="value"/> readable in a message: characters text may not hold are written as <c>\u202E</c>.</summary>
    public static string Printable(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var scalar = char.ConvertToUtf32(c, value[i + 1]);
                if (Refused(scalar) is null)
                {
                    text.Append(value.AsSpan(i, 2));
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\U{scalar:X8}");
                }

                i++;
            }
            else if (char.IsSurrogate(c) || char.IsControl(c) || Refused(c) is not null || c is '\u2028' or '\u2029')
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static string? Refused(int scalar) => scalar switch
    {
        >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 => "a bidirectional formatting character",
        0x200B or >= 0x2060 and <= 0x2064 or 0xFEFF => "an invisible character",
        >= 0xE0000 and <= 0xE007F => "an invisible tag character",
        >= 0xFDD0 and <= 0xFDEF => "a noncharacter",
        _ when (scalar & 0xFFFE) == 0xFFFE => "a noncharacter",
        _ => null,
    };
}
