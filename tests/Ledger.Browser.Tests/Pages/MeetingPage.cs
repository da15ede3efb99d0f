using Ledger.Browser.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>"/meetings/{code}": the board, the review queue and the meeting's commitments.</summary>
public sealed class MeetingPage(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task Shows_the_board_the_review_queue_and_every_commitment_by_working_session()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/meetings/GVA-2022");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("UN-OIC General Meeting on Cooperation");
        var board = tab.Page.Locator("section.board[data-meeting='GVA-2022']");
        (await TextOf(board.Locator("[data-tile='total'] .tile__value"))).ShouldBe("31");
        (await FigureAsync(board, "2")).ShouldBe(14);

        var commitments = tab.Page.Locator("#commitments");
        (await commitments.Locator("tbody tr").CountAsync()).ShouldBe(31);
        (await commitments.Locator("#session-1 tbody tr").CountAsync()).ShouldBe(8);
        (await commitments.Locator("#session-2 tbody tr").CountAsync()).ShouldBe(14);
        (await commitments.Locator("#session-3 tbody tr").CountAsync()).ShouldBe(9);
        (await TextOf(commitments.Locator("#session-2 h3"))).ShouldStartWith("2. Cooperation on Economic and Scientific Issues");

        // Matrix lines derived from agenda topics say so, and their inferred status is marked.
        var line = commitments.Locator("tr[data-code='GVA-2022-2.3']");
        (await TextOf(line.Locator("[data-col='basis']"))).ShouldContain("Agenda topic");
        (await TextOf(line.Locator("[data-col='status'] .badge"))).ShouldBe("Agreed");
        (await line.Locator("[data-col='status'] .inferred-mark").GetAttributeAsync("title")).ShouldStartWith("Inferred: the article refers to the 'agreed-upon Matrix'");

        // Nothing is reviewed yet: every commitment waits in the queue.
        var queue = tab.Page.Locator("#review-queue");
        (await TextOf(queue.Locator(".section__lead"))).ShouldBe("31 commitments of this meeting have no review decision yet.");
        (await queue.Locator(".queue__item").CountAsync()).ShouldBe(31);

        // Pledged in July 2022 and never reported on: two years without a report is red.
        (await TextOf(queue.Locator(".queue__item[data-code='GVA-2022-1.1'] .light"))).ShouldBe("Red");

        await tab.ScreenshotAsync("meeting-GVA-2022");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_board_as_it_stood_is_shown_to_an_auditor_and_explained_to_anyone_else()
    {
        const string AsOf = "2024-07-25T06:00:00Z";

        // Boards as they stood are for auditors: without an auditor's token the page does not ask for one
        // (no refused request), shows the board as it stands now and says why.
        await using (var anonymous = await OpenAsync())
        {
            await anonymous.GotoAsync($"/meetings/GVA-2022?asOf={AsOf}");
            var refusal = anonymous.Page.Locator(".notice", new() { HasText = "are for auditors" });
            (await TextOf(refusal)).ShouldContain("(25 July 2024, 06:00 UTC)");
            var board = anonymous.Page.Locator("section.board[data-meeting='GVA-2022']");
            (await TextOf(board.Locator("[data-tile='total'] .tile__value"))).ShouldBe("31");
            (await board.Locator(".notice", new() { HasText = "As the ledger stood at" }).CountAsync()).ShouldBe(0);
            anonymous.ShouldHaveNoProblems();
        }

        await using var auditor = await OpenAsync(Fixture.Host.TokenFor("auditor"));
        await auditor.GotoAsync($"/meetings/GVA-2022?asOf={AsOf}");
        var asOfBoard = auditor.Page.Locator("section.board[data-meeting='GVA-2022']");
        (await TextOf(asOfBoard.Locator(".notice", new() { HasText = "As the ledger stood at" }))).ShouldContain("25 July 2024, 06:00 UTC");
        (await TextOf(asOfBoard.Locator("[data-tile='total'] .tile__value"))).ShouldBe("31");
        (await auditor.Page.Locator(".notice", new() { HasText = "are for auditors" }).CountAsync()).ShouldBe(0);
        await auditor.ScreenshotAsync("meeting-GVA-2022-as-of-auditor");
        auditor.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Picking_22_July_2024_09_00_shows_the_Astana_board_as_then_in_force_and_the_address_keeps_it()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/meetings/AST-2024");
        var picker = tab.Page.Locator("form.business-day");
        var zone = await TextOf(picker.Locator(".business-day__zone"));
        Output.WriteLine($"picker zone: {zone}");
        zone.ShouldStartWith("Astana time (Asia/Almaty");

        // The day before the meeting opened: nothing of Astana's was in force yet.
        await picker.Locator("input[name='date']").FillAsync("2024-07-21");
        await picker.Locator("button[type='submit']").ClickAsync();
        await tab.Page.WaitForURLAsync(url => new Uri(url).Query == "?effectiveOn=2024-07-21");
        await tab.ReadyAsync();
        var board = tab.Page.Locator("section.board[data-meeting='AST-2024']");
        (await TextOf(board.Locator("[data-tile='total'] .tile__value"))).ShouldBe("0");

        // 22 July 2024, 09:00 in Astana (04:00 UTC): the nine commitments made that morning.
        await picker.Locator("input[name='date']").FillAsync("2024-07-22");
        await picker.Locator("input[name='time']").FillAsync("09:00");
        await picker.Locator("button[type='submit']").ClickAsync();
        await tab.Page.WaitForURLAsync(url => Uri.UnescapeDataString(new Uri(url).Query) == "?effectiveOn=2024-07-22T09:00");
        await tab.ReadyAsync();
        await ShowsTheMorningAsync(tab);
        await tab.ScreenshotAsync("meeting-AST-2024-effective-on");
        tab.ShouldHaveNoProblems();

        // The address is the view: opened afresh, it shows the same board and the picker its choice.
        await using var shared = await OpenAsync();
        await shared.GotoAsync(new Uri(tab.Page.Url).PathAndQuery);
        await ShowsTheMorningAsync(shared);
        (await shared.Page.Locator("form.business-day input[name='date']").InputValueAsync()).ShouldBe("2024-07-22");
        (await shared.Page.Locator("form.business-day input[name='time']").InputValueAsync()).ShouldBe("09:00");

        // "Back to today" leaves the business day.
        await shared.FollowAsync(shared.Page.Locator("form.business-day a", new() { HasText = "Back to today" }), "/meetings/AST-2024");
        (await shared.Page.Locator("section.board .notice", new() { HasText = "As in force" }).CountAsync()).ShouldBe(0);
        shared.ShouldHaveNoProblems();
    }

    private static async Task ShowsTheMorningAsync(DashboardPage tab)
    {
        var board = tab.Page.Locator("section.board[data-meeting='AST-2024']");
        (await TextOf(board.Locator(".notice", new() { HasText = "As in force" })))
            .ShouldBe("As in force on 22 July 2024, 09:00 Astana time (Asia/Almaty, UTC+5).");
        (await TextOf(board.Locator("[data-tile='total'] .tile__value"))).ShouldBe("9");
        (await TextOf(board.Locator("[data-tile='unreviewed'] .tile__value"))).ShouldBe("9");
        (await FigureAsync(board, "3")).ShouldBe(2);
        (await TextOf(tab.Page.Locator("#review-queue .section__lead"))).ShouldBe("9 commitments of this meeting have no review decision yet.");
    }

    [Fact]
    public async Task Astana_lists_its_nine_commitments_and_those_outside_a_working_session()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/meetings/AST-2024");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("16th UN-OIC Biennial General Meeting on Coordination");
        (await tab.Page.Locator("#commitments tbody tr").CountAsync()).ShouldBe(9);
        (await tab.Page.Locator("#session-3 tbody tr").CountAsync()).ShouldBe(2);
        (await tab.Page.Locator("#session-none tbody tr").CountAsync()).ShouldBe(7);

        await tab.ScreenshotAsync("meeting-AST-2024");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Prints_every_commitment_on_the_page_width()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/meetings/AST-2024");
        await tab.Page.SetViewportSizeAsync(794, 1123); // A4 at 96 dpi
        await tab.Page.EmulateMediaAsync(new() { Media = Microsoft.Playwright.Media.Print });

        var overflow = await tab.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        overflow.ShouldBeLessThanOrEqualTo(0);
        (await tab.Page.Locator(".access").IsVisibleAsync()).ShouldBeFalse();

        await tab.ScreenshotAsync("meeting-AST-2024-print");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_commitment_leads_to_its_timeline()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/meetings/GVA-2022");

        await tab.FollowAsync(tab.Page.Locator("#commitments a[href='/commitments/GVA-2022-2.3']"), "/commitments/GVA-2022-2.3");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Cooperation on South-South cooperation projects");
        (await TextOf(tab.Page.Locator("#facts"))).ShouldContain("July 2022 (month only)");
        tab.ShouldHaveNoProblems();
    }
}
