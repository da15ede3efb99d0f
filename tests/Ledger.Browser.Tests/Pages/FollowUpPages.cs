using Ledger.Browser.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>"/overdue" and "/activity".</summary>
public sealed class FollowUpPages(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task Overdue_says_what_is_overdue_on_the_ledgers_today()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/overdue");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Overdue commitments");

        // The shipped commitments have no due dates: nothing can be overdue yet.
        var lead = tab.Page.Locator("[data-total]").First;
        (await lead.GetAttributeAsync("data-total")).ShouldBe("0");
        (await TextOf(lead)).ShouldBe("0 commitments overdue on 25 July 2024 (the ledger's today).");

        await tab.ScreenshotAsync("overdue");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Overdue_filters_by_meeting()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/overdue");

        await tab.FollowAsync(tab.Page.Locator("nav.filters a", new() { HasText = "GVA-2022" }), "/overdue?meeting=GVA-2022");

        (await tab.Page.Locator("nav.filters a[aria-current='page']").TextContentAsync()).ShouldBe("GVA-2022");
        (await TextOf(tab.Page.Locator("[data-total]").First)).ShouldBe("0 commitments overdue on 25 July 2024 (the ledger's today), meeting GVA-2022.");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task Activity_lists_the_latest_events_newest_first_with_links_to_commitments()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/activity");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Recent activity");
        var sequences = await tab.Page.Locator("table.activity tbody tr")
            .EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.sequence))");
        sequences.Length.ShouldBe(50);
        sequences.ShouldBe(sequences.OrderByDescending(s => s).ToArray());

        var firstCommitment = tab.Page.Locator("table.activity tbody a.code").First;
        var code = await TextOf(firstCommitment);
        await tab.FollowAsync(firstCommitment, $"/commitments/{code}");
        (await TextOf(tab.Page.Locator(".page-header__eyebrow"))).ShouldStartWith($"Commitment {code}");

        await tab.Page.GoBackAsync();
        await tab.ReadyAsync();
        await tab.ScreenshotAsync("activity");
        tab.ShouldHaveNoProblems();
    }
}
