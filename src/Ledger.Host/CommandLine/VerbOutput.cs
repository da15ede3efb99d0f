using Spectre.Console;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>
/// A verb's result lines: coloured on a terminal; plain and unwrapped when the output goes to a file or another
/// program, so that a hash or a path is never cut across two lines.
/// </summary>
internal static class VerbOutput
{
    public static void Line(string label, string color, string text)
    {
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(label.Length == 0 ? text : $"{label} {text}");
        }
        else
        {
            AnsiConsole.MarkupLine(label.Length == 0 ? Markup.Escape(text) : $"[{color}]{Markup.Escape(label)}[/] {Markup.Escape(text)}");
        }
    }

    public static void Line(string text) => Line(string.Empty, "default", text);

    public static bool Refuse(string reason)
    {
        Line("Refused:", "red", reason.EndsWith('.') ? reason : reason + ".");
        return false;
    }
}
