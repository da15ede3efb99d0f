using System.Globalization;
using Xunit.Abstractions;

namespace Ledger.Testing;

/// <summary>
/// The figure a fault test proves (counts, seconds), printed so it can be quoted: in the test's own
/// output, and appended as one line to the file named by <c>LEDGER_FIGURES_FILE</c>, which
/// ./test.sh prints at the end of the fault suite.
/// </summary>
public static class Figures
{
    public const string FileVariable = "LEDGER_FIGURES_FILE";

    private static readonly Lock Gate = new();

    /// <summary>Records <paramref name="text"/> under the promise <paramref name="id"/> (e.g. <c>R3</c>).</summary>
    public static void Report(ITestOutputHelper output, string id, string text)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{id} {text}");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable(FileVariable) is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllLines(file, [line]);
            }
        }
    }
}
