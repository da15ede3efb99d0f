using Ledger.Domain.Common;

namespace Ledger.Domain.Commitments.Reporting;

/// <summary>How an indicator is measured: IATI's IndicatorMeasure codelist, with its codes.</summary>
public enum IndicatorMeasure
{
    /// <summary>A count of something (people trained, tonnes delivered).</summary>
    Unit = 1,

    /// <summary>A share, 0 to 100.</summary>
    Percentage = 2,

    /// <summary>A named category, given by its number.</summary>
    Nominal = 3,

    /// <summary>A rank on an ordered scale, given by its number.</summary>
    Ordinal = 4,

    /// <summary>A narrative assessment: no numbers, a comment.</summary>
    Qualitative = 5,
}

/// <summary>
/// One result indicator of a progress report, shaped as IATI's result/indicator: a name, how it is measured, and the
/// baseline, target and actual value the report gives (numbers for every measure but <see cref="IndicatorMeasure.Qualitative"/>,
/// whose assessment is the <see cref="Comment"/>).
/// </summary>
public sealed record ProgressIndicator(
    string Name,
    IndicatorMeasure Measure,
    decimal? Baseline,
    decimal? Target,
    decimal? Actual,
    string? Comment);

/// <summary>The rules of a report's indicators, and the one mapping between a percentage complete and its indicator.</summary>
public static class ProgressIndicators
{
    /// <summary>The name of the indicator that says how complete a commitment is (what <c>percentComplete</c> reads).</summary>
    public const string Completion = "completion";

    public const int MaxCount = 20;
    public const int NameMaxLength = 100;
    public const int CommentMaxLength = 1000;

    /// <summary>Values have at most this many decimal places…</summary>
    public const int MaxDecimals = 4;

    /// <summary>…and stay below this magnitude: at most 15 significant digits, which every JSON tool reads exactly.</summary>
    public const decimal MaxMagnitude = 100_000_000_000m;

    /// <summary>A percentage complete as its indicator: "completion", a percentage, target 100, actual <paramref name="percent"/>.</summary>
    public static ProgressIndicator FromPercentComplete(int percent) =>
        new(Completion, IndicatorMeasure.Percentage, Baseline: null, Target: 100, Actual: percent, Comment: null);

    /// <summary>The percentage complete the indicators give: the completion indicator's actual value, or null without one.</summary>
    public static int? PercentComplete(IReadOnlyList<ProgressIndicator>? indicators) =>
        indicators?.FirstOrDefault(IsCompletion) is { Actual: { } actual } ? (int)actual : null;

    public static bool IsCompletion(ProgressIndicator indicator) =>
        string.Equals(indicator.Name, Completion, StringComparison.OrdinalIgnoreCase);

    /// <summary>The indicators with their values written the one way they are stored (no trailing zeros: 12.50 is 12.5).</summary>
    public static IReadOnlyList<ProgressIndicator> Normalized(IReadOnlyList<ProgressIndicator> indicators) =>
        [.. indicators.Select(i => i with { Baseline = Normal(i.Baseline), Target = Normal(i.Target), Actual = Normal(i.Actual) })];

    private static decimal? Normal(decimal? value) => value is { } v ? v / 1.0000000000000000000000000000m : null;

    /// <summary>Checks <paramref name="indicators"/>, naming each refusal's field as <c>indicators[i].field</c>.</summary>
    public static Validation Indicators(this Validation v, IReadOnlyList<ProgressIndicator?> indicators)
    {
        if (indicators.Count > MaxCount)
        {
            return v.Add("indicators", $"must be at most {MaxCount}");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < indicators.Count; i++)
        {
            var field = $"indicators[{i}]";
            if (indicators[i] is not { } indicator)
            {
                v.Add(field, "must be an indicator, not null");
                continue;
            }

            v.Text(indicator.Name, field + ".name", NameMaxLength);
            if (!string.IsNullOrWhiteSpace(indicator.Name) && !names.Add(indicator.Name.Trim()))
            {
                v.Add(field + ".name", $"'{indicator.Name}' is already the name of another indicator of this report");
            }

            v.Text(indicator.Comment, field + ".comment", CommentMaxLength, required: indicator.Measure == IndicatorMeasure.Qualitative, multiline: true);
            if (!Enum.IsDefined(indicator.Measure))
            {
                v.Add(field + ".measure", indicator.Measure == default
                    ? $"is required: one of {string.Join(", ", Enum.GetValues<IndicatorMeasure>().Select(ApiNames.Of))}"
                    : $"'{indicator.Measure}' is not a known measure");
                continue;
            }

            CheckValues(v, indicator, field);
        }

        return v;
    }

    private static void CheckValues(Validation v, ProgressIndicator indicator, string field)
    {
        (string Name, decimal? Value)[] values = [("baseline", indicator.Baseline), ("target", indicator.Target), ("actual", indicator.Actual)];
        if (indicator.Measure == IndicatorMeasure.Qualitative)
        {
            foreach (var (name, _) in values.Where(x => x.Value is not null))
            {
                v.Add($"{field}.{name}", "a qualitative indicator has no numbers: its assessment is the comment");
            }

            return;
        }

        v.Require(indicator.Actual is not null, field + ".actual", "is required: the value the report gives");
        foreach (var (name, value) in values)
        {
            if (value is not { } x)
            {
                continue;
            }

            if (Math.Abs(x) >= MaxMagnitude || decimal.Round(x, MaxDecimals) != x)
            {
                v.Add($"{field}.{name}", $"must be below {MaxMagnitude:N0} in magnitude, with at most {MaxDecimals} decimal places");
            }
            else if (indicator.Measure == IndicatorMeasure.Percentage && x is < 0 or > 100)
            {
                v.Add($"{field}.{name}", "a percentage is between 0 and 100");
            }
            else if (indicator.Measure is IndicatorMeasure.Nominal or IndicatorMeasure.Ordinal && decimal.Truncate(x) != x)
            {
                v.Add($"{field}.{name}", $"{(indicator.Measure == IndicatorMeasure.Nominal ? "a category" : "a rank")} is a whole number");
            }
        }

        if (IsCompletion(indicator))
        {
            // What percentComplete reads: a whole percentage out of 100.
            v.Require(indicator.Measure == IndicatorMeasure.Percentage, field + ".measure", "the completion indicator is a percentage");
            v.Require(indicator.Target is null or 100, field + ".target", "the completion indicator's target is 100");
            v.Require(indicator.Actual is not { } a || decimal.Truncate(a) == a, field + ".actual", "the completion indicator is a whole percentage");
        }
    }
}
