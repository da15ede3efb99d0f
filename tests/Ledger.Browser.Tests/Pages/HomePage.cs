using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>"/": every meeting with its board.</summary>
public sealed class HomePage(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task Shows_both_meetings_with_their_totals_and_working_sessions()
    {
        Output.WriteLine(Fixture.StartupTimings);
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/");

        var boards = tab.Page.Locator("section.board");
        (await boards.CountAsync()).ShouldBe(2);
        (await tab.Page.TitleAsync()).ShouldStartWith("Meetings — ");

        var geneva = tab.Page.Locator("section.board[data-meeting='GVA-2022']");
        (await TextOf(geneva.Locator(".board__title"))).ShouldContain("UN-OIC General Meeting on Cooperation");
        (await TextOf(geneva.Locator(".board__facts"))).ShouldBe("Geneva · July 2022 (month only)");
        (await TextOf(geneva.Locator("[data-tile='total'] .tile__value"))).ShouldBe("31");
        (await FigureAsync(geneva, "1")).ShouldBe(8);
        (await FigureAsync(geneva, "2")).ShouldBe(14);
        (await FigureAsync(geneva, "3")).ShouldBe(9);
        (await FigureAsync(geneva, "all")).ShouldBe(31);
        (await FigureAsync(geneva, "all", "agreed")).ShouldBe(31);

        var astana = tab.Page.Locator("section.board[data-meeting='AST-2024']");
        (await TextOf(astana.Locator(".board__facts"))).ShouldStartWith("Astana · 22–24 July 2024");
        (await TextOf(astana.Locator("[data-tile='total'] .tile__value"))).ShouldBe("9");
        (await FigureAsync(astana, "3")).ShouldBe(2);
        (await FigureAsync(astana, "3", "in-progress")).ShouldBe(2);
        (await FigureAsync(astana, "none")).ShouldBe(7);
        (await FigureAsync(astana, "all", "proposed")).ShouldBe(6);

        // The newest meeting comes first: it is the one the secretariat works on.
        (await boards.First.GetAttributeAsync("data-meeting")).ShouldBe("AST-2024");

        // Each board says how fresh it is.
        (await TextOf(geneva.Locator(".freshness"))).ShouldContain("lag 0");

        await tab.ScreenshotAsync("home");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Charts_carry_their_figures_in_text_not_colour_alone()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/");
        var chart = tab.Page.Locator("section.board[data-meeting='GVA-2022'] figure.chart");

        // The drawing is an image with a title and a description a screen reader reads out.
        var svg = chart.Locator("svg[role='img']");
        (await svg.CountAsync()).ShouldBe(1);
        var labelledBy = (await svg.GetAttributeAsync("aria-labelledby"))!.Split(' ');
        labelledBy.Length.ShouldBe(2);
        (await TextOf(tab.Page.Locator($"[id='{labelledBy[1]}']"))).ShouldContain("14 commitments (14 agreed)");

        // Each segment has a tooltip, the legend names each colour, each bar shows its total.
        (await TextOf(chart.Locator("g[data-row='2'] rect[data-status='agreed'] title"))).ShouldContain("14 agreed of 14");
        (await chart.Locator(".legend__item").AllTextContentsAsync()).ShouldBe(["Agreed"]);
        (await TextOf(chart.Locator("g[data-row='2'] .chart__total"))).ShouldBe("14");

        // The same figures as a table, one click away.
        var table = chart.Locator("details.chart__data");
        (await table.Locator("table").IsVisibleAsync()).ShouldBeFalse();
        await table.Locator("summary").ClickAsync();
        (await table.Locator("table").IsVisibleAsync()).ShouldBeTrue();
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_meeting_leads_to_its_page()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/");

        await tab.FollowAsync(tab.Page.Locator("section.board[data-meeting='GVA-2022'] a.board__link"), "/meetings/GVA-2022");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("UN-OIC General Meeting on Cooperation");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Prints_without_navigation_and_with_the_figures()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/");
        await tab.Page.EmulateMediaAsync(new() { Media = Media.Print });

        (await tab.Page.Locator(".site-nav").IsVisibleAsync()).ShouldBeFalse();
        (await tab.Page.Locator("section.board[data-meeting='GVA-2022'] details.chart__data table").IsVisibleAsync()).ShouldBeTrue();

        await tab.ScreenshotAsync("home-print");
        tab.ShouldHaveNoProblems();
    }
}
