using System.Globalization;
using System.Net;
using System.Text;

namespace Ledger.Bench.Results;

/// <summary>One measure at each ledger size: the time it took (milliseconds) at that many events.</summary>
internal sealed record GrowthSeries(string Name, IReadOnlyList<(long Events, double Milliseconds)> Points);

/// <summary>
/// The read measures' growth with the ledger's size as an SVG chart: time against events, both on
/// logarithmic axes, so a measure that grows linearly with the ledger is a line parallel to the raw scan's
/// (the ceiling), and one whose cost does not depend on the size is flat. Plain SVG, no script, no fonts
/// to fetch: it renders the same on any page that links it.
/// </summary>
internal static class GrowthChart
{
    private const double Width = 760;
    private const double Height = 440;
    private const double Left = 70;
    private const double Right = 250;
    private const double Top = 40;
    private const double Bottom = 50;

    private static readonly string[] Colours =
        ["#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static string Svg(string title, IReadOnlyList<GrowthSeries> series)
    {
        var points = series.SelectMany(s => s.Points).Where(p => p.Milliseconds > 0).ToList();
        var text = new StringBuilder();
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{F(Width)}" height="{F(Height)}" viewBox="0 0 {F(Width)} {F(Height)}" font-family="sans-serif" font-size="12">""");
        text.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        text.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(Left)}" y="22" font-size="14" font-weight="bold">{WebUtility.HtmlEncode(title)}</text>""");
        if (points.Count == 0)
        {
            return text.AppendLine("</svg>").ToString();
        }

        var (x0, x1) = Decades(points.Min(p => (double)p.Events), points.Max(p => (double)p.Events));
        var (y0, y1) = Decades(points.Min(p => p.Milliseconds), points.Max(p => p.Milliseconds));
        double X(double events) => Left + ((Math.Log10(events) - x0) / (x1 - x0) * (Width - Left - Right));
        double Y(double ms) => Height - Bottom - ((Math.Log10(ms) - y0) / (y1 - y0) * (Height - Top - Bottom));

        for (var d = x0; d <= x1; d++)
        {
            var x = X(Math.Pow(10, d));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{F(x)}" y1="{F(Top)}" x2="{F(x)}" y2="{F(Height - Bottom)}" stroke="#dddddd"/><text x="{F(x)}" y="{F(Height - Bottom + 18)}" text-anchor="middle">{EventsLabel(Math.Pow(10, d))}</text>""");
        }

        for (var d = y0; d <= y1; d++)
        {
            var y = Y(Math.Pow(10, d));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{F(Left)}" y1="{F(y)}" x2="{F(Width - Right)}" y2="{F(y)}" stroke="#dddddd"/><text x="{F(Left - 6)}" y="{F(y + 4)}" text-anchor="end">{TimeLabel(Math.Pow(10, d))}</text>""");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"""<text x="{F((Left + Width - Right) / 2)}" y="{F(Height - 12)}" text-anchor="middle">events in the ledger (log scale)</text>""");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"""<text x="16" y="{F((Top + Height - Bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 {F((Top + Height - Bottom) / 2)})">time (log scale)</text>""");

        for (var i = 0; i < series.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var line = series[i].Points.Where(p => p.Milliseconds > 0).OrderBy(p => p.Events).ToList();
            var dash = i == 0 ? " stroke-dasharray=\"6 4\"" : string.Empty;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"""<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{string.Join(' ', line.Select(p => F(X(p.Events)) + "," + F(Y(p.Milliseconds))))}"/>""");
            foreach (var (events, ms) in line)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"""<circle cx="{F(X(events))}" cy="{F(Y(ms))}" r="3" fill="{colour}"><title>{WebUtility.HtmlEncode(series[i].Name)}: {TimeLabel(ms)} at {events:N0} events</title></circle>""");
            }

            var legendY = Top + 10 + (i * 20);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{F(Width - Right + 14)}" y1="{F(legendY)}" x2="{F(Width - Right + 38)}" y2="{F(legendY)}" stroke="{colour}" stroke-width="2"{dash}/><text x="{F(Width - Right + 44)}" y="{F(legendY + 4)}">{WebUtility.HtmlEncode(series[i].Name)}</text>""");
        }

        return text.AppendLine("</svg>").ToString();
    }

    /// <summary>Whole decades around the values, at least one apart.</summary>
    private static (double From, double To) Decades(double min, double max)
    {
        var from = Math.Floor(Math.Log10(min));
        var to = Math.Ceiling(Math.Log10(max));
        return (from, Math.Max(to, from + 1));
    }

    private static string EventsLabel(double events) => events switch
    {
        >= 1_000_000 => (events / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (events / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => events.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string TimeLabel(double ms) => ms >= 1000
        ? (ms / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s"
        : ms.ToString(ms < 1 ? "0.###" : "0.#", CultureInfo.InvariantCulture) + " ms";
}
