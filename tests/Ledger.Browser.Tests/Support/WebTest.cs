using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Support;

/// <summary>Base for the web pages' tests: one host and browser per collection, a tab of its own per test.</summary>
public abstract class WebTest<TFixture>(TFixture fixture, ITestOutputHelper output)
    where TFixture : WebFixture
{
    protected TFixture Fixture => fixture;

    protected ITestOutputHelper Output => output;

    protected Task<DashboardPage> OpenAsync(string? token = null) => fixture.OpenAsync(output, token);

    /// <summary>The trimmed text of the one element a locator finds.</summary>
    protected static async Task<string> TextOf(ILocator locator) => (await locator.TextContentAsync() ?? string.Empty).Trim();

    /// <summary>The number shown in a figures-table cell of a chart (the table is the chart's accessible twin).</summary>
    protected static async Task<int> FigureAsync(ILocator chartOwner, string row, string? status = null)
    {
        var cell = chartOwner.Locator($"table tr[data-row='{row}'] td[{(status is null ? "data-total" : $"data-status='{status}'")}]");
        (await cell.CountAsync()).ShouldBe(1, $"one figure for row {row}, {status ?? "total"}");
        return int.Parse(await TextOf(cell), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Base for the dashboard's read-only tests.</summary>
[Collection(DashboardGroup.Name)]
public abstract class DashboardTest(DashboardFixture fixture, ITestOutputHelper output) : WebTest<DashboardFixture>(fixture, output);

/// <summary>Base for the forms' tests, on the writing collection's own host.</summary>
[Collection(WritingGroup.Name)]
public abstract class WritingTest(WritingFixture fixture, ITestOutputHelper output) : WebTest<WritingFixture>(fixture, output);
