using System.Globalization;
using System.Text;
using Ledger.Domain.Meetings;

namespace Ledger.Domain.Commitments;

/// <summary>
/// Commitment codes are the meeting's code, a dash and a number, optionally dotted:
/// <c>AST-2024-06</c>, <c>GVA-2022-2.3</c>.
/// </summary>
public static class CommitmentCode
{
    public const int MaxLength = 32;

    public static bool IsWellFormed(string? code)
    {
        if (code is null || code.Length is < 10 or > MaxLength || !MeetingCode.IsWellFormed(code[..8]) || code[8] != '-')
        {
            return false;
        }

        var parts = code[9..].Split('.');
        return parts.All(p => p.Length is > 0 and <= 4 && p.All(char.IsAsciiDigit));
    }

    /// <summary>The meeting a well-formed code belongs to.</summary>
    public static string MeetingOf(string code) => code[..8];

    /// <summary>A key that sorts codes naturally: GVA-2022-1.2 before GVA-2022-1.10.</summary>
    public static string SortKey(string code)
    {
        var key = new StringBuilder(code.Length + 16);
        var i = 0;
        while (i < code.Length)
        {
            if (char.IsAsciiDigit(code[i]))
            {
                var start = i;
                while (i < code.Length && char.IsAsciiDigit(code[i]))
                {
                    i++;
                }

                key.Append(int.Parse(code.AsSpan(start, i - start), CultureInfo.InvariantCulture).ToString("D6", CultureInfo.InvariantCulture));
            }
            else
            {
                key.Append(code[i++]);
            }
        }

        return key.ToString();
    }
}
