using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using NodaTime;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;
using static Ledger.Domain.Commitments.Reporting.IndicatorMeasure;

namespace Ledger.Domain.Tests.Commitments.Reporting;

public class ProgressIndicatorTests
{
    private const string Narrative = "Seed distribution reached four provinces.";

    private static readonly LocalDate AsOf = new(2025, 3, 10);

    private static readonly ProgressIndicator Trained = new("farmers trained", Unit, Baseline: 0, Target: 500, Actual: 120, Comment: null);

    private static Decision Decide(ReportProgress report, CommitmentStatus current = InProgress) =>
        report.Decide(Given.CommitmentIn(current), Given.Secretariat, Given.Now);

    private static ReportProgress With(params ProgressIndicator?[] indicators) => new(InProgress, Narrative, AsOf, Indicators: indicators);

    [Fact]
    public void A_report_records_its_indicators_with_the_percentage_complete_as_the_completion_indicator()
    {
        var assessment = new ProgressIndicator("community ownership", Qualitative, null, null, null, "Village committees run the stores.");

        var reported = Decide(new ReportProgress(InProgress, Narrative, AsOf, 35, [Trained, assessment])).ShouldYieldSingle<ProgressReported>();

        reported.Indicators.ShouldBe([new ProgressIndicator("completion", Percentage, null, 100, 35, null), Trained, assessment]);
        ProgressIndicators.PercentComplete(reported.Indicators).ShouldBe(35);
    }

    [Fact]
    public void The_completion_may_be_given_as_an_indicator_and_reads_as_the_percentage_complete()
    {
        var reported = Decide(With(new ProgressIndicator("Completion", Percentage, 10, 100, 60, null), Trained)).ShouldYieldSingle<ProgressReported>();

        ProgressIndicators.PercentComplete(reported.Indicators).ShouldBe(60);
    }

    [Fact]
    public void Values_are_recorded_the_one_way_they_are_stored_without_trailing_zeros()
    {
        var reported = Decide(With(Trained with { Baseline = 12.50m, Target = 500.0000m, Actual = 120.1m })).ShouldYieldSingle<ProgressReported>();

        var indicator = reported.Indicators.ShouldHaveSingleItem();
        (indicator.Baseline?.ToString(System.Globalization.CultureInfo.InvariantCulture), indicator.Target?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(("12.5", "500"));
    }

    [Fact]
    public void A_report_without_a_percentage_or_indicators_records_none()
    {
        Decide(With()).ShouldYieldSingle<ProgressReported>().Indicators.ShouldBeEmpty();
    }

    [Fact]
    public void The_completion_is_given_once_not_both_as_a_percentage_and_as_an_indicator()
    {
        Decide(new ReportProgress(InProgress, Narrative, AsOf, 40, [ProgressIndicators.FromPercentComplete(40)]))
            .ShouldBeRefusedOn("percentComplete").Reason.ShouldContain("give the completion once");
    }

    [Fact]
    public void A_completed_commitment_cannot_have_a_completion_indicator_short_of_100()
    {
        Decide(new ReportProgress(Completed, Narrative, AsOf, Indicators: [Trained, ProgressIndicators.FromPercentComplete(80)]))
            .ShouldBeRefusedOn("indicators[1].actual").Reason.ShouldBe("a completed commitment is 100% complete");
    }

    public static TheoryData<ProgressIndicator?, string, string> Refused => new()
    {
        { null, "indicators[0]", "must be an indicator, not null" },
        { Trained with { Name = " " }, "indicators[0].name", "is required" },
        { Trained with { Name = new string('n', 101) }, "indicators[0].name", "must be at most 100 characters" },
        { Trained with { Measure = default }, "indicators[0].measure", "is required: one of unit, percentage, nominal, ordinal, qualitative" },
        { Trained with { Measure = (IndicatorMeasure)9 }, "indicators[0].measure", "'9' is not a known measure" },
        { Trained with { Actual = null }, "indicators[0].actual", "is required: the value the report gives" },
        { Trained with { Measure = Percentage, Target = 120, Actual = 50 }, "indicators[0].target", "a percentage is between 0 and 100" },
        { Trained with { Measure = Ordinal, Actual = 2.5m }, "indicators[0].actual", "a rank is a whole number" },
        { Trained with { Measure = Nominal, Baseline = 0.5m }, "indicators[0].baseline", "a category is a whole number" },
        { Trained with { Actual = 1.23456m }, "indicators[0].actual", "must be below 100,000,000,000 in magnitude, with at most 4 decimal places" },
        { Trained with { Target = 100_000_000_000m }, "indicators[0].target", "must be below 100,000,000,000 in magnitude, with at most 4 decimal places" },
        { new ProgressIndicator("ownership", Qualitative, null, null, null, null), "indicators[0].comment", "is required" },
        { new ProgressIndicator("ownership", Qualitative, null, 3, null, "Strong."), "indicators[0].target", "a qualitative indicator has no numbers: its assessment is the comment" },
        { Trained with { Comment = "bad\u0000text" }, "indicators[0].comment", "" },
        { new ProgressIndicator("completion", Unit, null, 100, 40, null), "indicators[0].measure", "the completion indicator is a percentage" },
        { new ProgressIndicator("completion", Percentage, null, 50, 40, null), "indicators[0].target", "the completion indicator's target is 100" },
        { new ProgressIndicator("completion", Percentage, null, 100, 40.5m, null), "indicators[0].actual", "the completion indicator is a whole percentage" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Each_indicator_is_checked_field_by_field(ProgressIndicator? indicator, string field, string reason)
    {
        var refusal = Decide(With(indicator)).ShouldBeRefusedOn(field);

        refusal.Reason.ShouldStartWith(reason);
    }

    [Fact]
    public void Two_indicators_of_a_report_cannot_share_a_name()
    {
        Decide(With(Trained, Trained with { Name = "Farmers Trained", Actual = 3 }))
            .ShouldBeRefusedOn("indicators[1].name").Reason.ShouldContain("already the name of another indicator");
    }

    [Fact]
    public void A_report_has_at_most_20_indicators()
    {
        Decide(With([.. Enumerable.Range(0, 21).Select(i => Trained with { Name = $"indicator {i}" })]))
            .ShouldBeRefusedOn("indicators").Reason.ShouldBe("must be at most 20");
    }

    [Fact]
    public void Every_refused_indicator_field_is_reported_at_once()
    {
        Decide(With(Trained with { Name = "", Actual = null }, new ProgressIndicator("ownership", Qualitative, 1, null, null, null)))
            .ShouldBeRefusedOnAll("indicators[0].name", "indicators[0].actual", "indicators[1].comment", "indicators[1].baseline");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(35)]
    [InlineData(100)]
    public void A_version_1_report_reads_as_version_2_with_its_percentage_as_the_completion_indicator(int percent)
    {
        var v1 = new ProgressReportedV1(Given.Code, InProgress, Narrative, percent, FactDate.Day(AsOf), null, Given.Secretariat, Given.Now);

        var v2 = v1.Upcast();

        v2.ShouldBe(new ProgressReported(Given.Code, InProgress, Narrative, v2.Indicators, FactDate.Day(AsOf), null, Given.Secretariat, Given.Now));
        v2.Indicators.ShouldBe([ProgressIndicators.FromPercentComplete(percent)]);
        ProgressIndicators.PercentComplete(v2.Indicators).ShouldBe(percent);
    }

    [Fact]
    public void A_version_1_report_without_a_percentage_reads_as_a_report_without_indicators()
    {
        var source = new SourceStatement("progress-reported", "IOFS", "Successes noted.", "article");
        var v1 = new ProgressReportedV1(Given.Code, InProgress, Narrative, null, FactDate.Day(AsOf), source, Given.Importer, Given.Now);

        var v2 = v1.Upcast();

        v2.Indicators.ShouldBeEmpty();
        v2.Source.ShouldBe(source);
        ProgressIndicators.PercentComplete(v2.Indicators).ShouldBeNull();
        Given.Then(Given.CommitmentIn(Agreed), v2).Status.ShouldBe(InProgress);
    }
}
