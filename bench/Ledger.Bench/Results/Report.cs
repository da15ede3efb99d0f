using System.Globalization;
using System.Text;

namespace Ledger.Bench.Results;

internal enum Verdict
{
    /// <summary>A ceiling: measured to compare against, no target of its own.</summary>
    Ceiling,
    Pass,
    Fail,

    /// <summary>Measured for the reader's information; the product states no target for it.</summary>
    Info,

    /// <summary>The measurement is not valid (the product refused requests it should have accepted).</summary>
    Error,
}

/// <summary>One line of the result table.</summary>
internal sealed record ResultRow(string Measure, string Value, string Ceiling, string Ratio, string Target, Verdict Verdict);

/// <summary>
/// The run's results: the table (measure, value, ceiling, ratio, target, verdict), the facts about the
/// machine that make it readable, and the per-round details behind each median.
/// </summary>
internal sealed class Report
{
    private readonly List<ResultRow> _rows = [];
    private readonly List<string> _details = [];
    private readonly List<(string Name, string Value)> _context = [];

    public bool HasErrors => _rows.Any(r => r.Verdict == Verdict.Error);

    public IReadOnlyList<ResultRow> Rows => _rows;

    /// <summary>A fact about the run (command, machine, server settings), listed above the table.</summary>
    public void Context(string name, string value) => _context.Add((name, value));

    /// <summary>A measured number behind a row (one round, one repeat), listed below the table.</summary>
    public void Detail(string line) => _details.Add(line);

    public void Ceiling(string measure, string value) => _rows.Add(new ResultRow(measure, value, "—", "—", "—", Verdict.Ceiling));

    /// <summary>A rate that must reach <paramref name="target"/> times its ceiling's rate.</summary>
    public void RateAtLeast(string measure, double rate, string value, double ceiling, string ceilingText, double target, bool valid = true)
    {
        var ratio = rate / ceiling;
        _rows.Add(new ResultRow(measure, value, ceilingText, Times(ratio), "≥ " + Times(target),
            !valid ? Verdict.Error : ratio >= target ? Verdict.Pass : Verdict.Fail));
    }

    /// <summary>A time that must stay within <paramref name="target"/> times its ceiling's time (or, for growth, the smaller ledger's).</summary>
    public void TimeAtMost(string measure, double value, string valueText, double ceiling, string ceilingText, double target)
    {
        var ratio = value / ceiling;
        _rows.Add(new ResultRow(measure, valueText, ceilingText, Times(ratio), "≤ " + Times(target), ratio <= target ? Verdict.Pass : Verdict.Fail));
    }

    /// <summary>An absolute limit in milliseconds.</summary>
    public void MillisecondsAtMost(string measure, double milliseconds, string valueText, double limit, bool valid = true) =>
        _rows.Add(new ResultRow(measure, valueText, "—", "—", "≤ " + Ms(limit),
            !valid ? Verdict.Error : milliseconds <= limit ? Verdict.Pass : Verdict.Fail));

    /// <summary>A rate shown next to a ceiling without a target.</summary>
    public void RateInfo(string measure, double rate, string value, double ceiling, string ceilingText, bool valid = true) =>
        _rows.Add(new ResultRow(measure, value, ceilingText, Times(rate / ceiling), "—", valid ? Verdict.Info : Verdict.Error));

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in _context)
        {
            text.Append("- ").Append(name).Append(": ").AppendLine(value);
        }

        text.AppendLine()
            .AppendLine("| measure | value | ceiling | ratio | target | result |")
            .AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Measure} | {row.Value} | {row.Ceiling} | {row.Ratio} | {row.Target} | {Word(row.Verdict)} |");
        }

        if (_details.Count > 0)
        {
            text.AppendLine().AppendLine("Details (every measurement behind the medians above):").AppendLine();
            foreach (var line in _details)
            {
                text.Append("- ").AppendLine(line);
            }
        }

        return text.ToString();
    }

    /// <summary>The table as aligned plain text, for the terminal.</summary>
    public string ToText()
    {
        string[] header = ["measure", "value", "ceiling", "ratio", "target", "result"];
        var lines = _rows.Select(r => new[] { r.Measure, r.Value, r.Ceiling, r.Ratio, r.Target, Word(r.Verdict) }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.AppendLine(string.Join("  ", line.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (ReferenceEquals(line, lines[0]))
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        return text.ToString();
    }

    public static string Times(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public static string Ms(double milliseconds) =>
        milliseconds.ToString(milliseconds < 10 ? "0.00" : milliseconds < 100 ? "0.0" : "N0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond, string unit) =>
        perSecond.ToString("N0", CultureInfo.InvariantCulture) + " " + unit + "/s";

    private static string Word(Verdict verdict) => verdict switch
    {
        Verdict.Ceiling => "ceiling",
        Verdict.Pass => "pass",
        Verdict.Fail => "FAIL",
        Verdict.Info => "info",
        _ => "ERROR",
    };
}
