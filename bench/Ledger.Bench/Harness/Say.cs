using System.Diagnostics;
using System.Globalization;

namespace Ledger.Bench.Harness;

/// <summary>Progress on the console, stamped with the time since the run began, so long steps show they move.</summary>
internal static class Say
{
    private static readonly Stopwatch Since = Stopwatch.StartNew();

    /// <summary>A step of the run, in the style of the repository's scripts.</summary>
    public static void Step(string message) => Write("==>", message);

    /// <summary>Progress inside a long step.</summary>
    public static void Progress(string message) => Write("   ", message);

    private static void Write(string marker, string message) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{marker} [{Since.Elapsed:mm\\:ss}] {message}"));
}
