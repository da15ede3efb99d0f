namespace Ledger.Domain.Meetings;

/// <summary>Meeting codes are three capital letters, a dash and the year: <c>AST-2024</c>.</summary>
public static class MeetingCode
{
    public static bool IsWellFormed(string? code) =>
        code is { Length: 8 } && code[..3].All(char.IsAsciiLetterUpper) && code[3] == '-' && code[4..].All(char.IsAsciiDigit);

    /// <summary>The year in a well-formed meeting code.</summary>
    public static int Year(string code) => int.Parse(code.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
}
