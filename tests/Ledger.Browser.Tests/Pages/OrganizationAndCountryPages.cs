using Ledger.Browser.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>"/organizations/{code}" and "/countries/{iso3}".</summary>
public sealed class OrganizationAndCountryPages(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task IOFS_leads_eight_of_the_Astana_commitments()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/organizations/IOFS");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Islamic Organization for Food Security");
        (await TextOf(tab.Page.Locator("[data-tile='leads'] .tile__value"))).ShouldBe("8");
        (await TextOf(tab.Page.Locator("[data-tile='partners'] .tile__value"))).ShouldBe("0");
        var chart = tab.Page.Locator("figure.chart");
        (await FigureAsync(chart, "leads", "proposed")).ShouldBe(5);
        (await FigureAsync(chart, "leads", "agreed")).ShouldBe(1);
        (await FigureAsync(chart, "leads", "in-progress")).ShouldBe(2);

        var rows = tab.Page.Locator("#commitments tbody tr");
        (await rows.CountAsync()).ShouldBe(8);
        (await tab.Page.Locator("#commitments tr[data-code='AST-2024-01']").CountAsync()).ShouldBe(0);

        await tab.ScreenshotAsync("organization-IOFS");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task FAO_leads_the_letter_of_intent()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/organizations/FAO");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Food and Agriculture Organization of the United Nations");
        (await TextOf(tab.Page.Locator("[data-tile='leads'] .tile__value"))).ShouldBe("1");
        var rows = tab.Page.Locator("#commitments tbody tr");
        (await rows.CountAsync()).ShouldBe(1);
        (await rows.First.GetAttributeAsync("data-code")).ShouldBe("AST-2024-06");

        await tab.ScreenshotAsync("organization-FAO");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Afghanistan_is_named_by_two_commitments()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/countries/AFG");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Afghanistan (AFG)");
        (await TextOf(tab.Page.Locator("[data-tile='total'] .tile__value"))).ShouldBe("2");
        var codes = await tab.Page.Locator("#commitments tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.code)");
        codes.ShouldBe(["AST-2024-06", "AST-2024-07"]);

        await tab.ScreenshotAsync("country-AFG");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task An_organization_leads_to_its_commitments_timelines()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/organizations/FAO");

        await tab.FollowAsync(tab.Page.Locator("#commitments a[href='/commitments/AST-2024-06']"), "/commitments/AST-2024-06");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("IOFS-FAO Letter of Intent on institutional cooperation in member states");
        tab.ShouldHaveNoProblems();
    }
}
