using Ledger.Browser.Tests.Support;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>"/commitments/{code}": the timeline page.</summary>
public sealed class CommitmentPage(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task Shows_the_letter_of_intent_with_its_nine_countries_and_the_articles_words()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/commitments/AST-2024-06");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("IOFS-FAO Letter of Intent on institutional cooperation in member states");
        var countries = await tab.Page.Locator("#facts a.country").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.country)");
        countries.ShouldBe(["AFG", "TCD", "DJI", "GMB", "KAZ", "MRT", "NGA", "SOM", "TJK"]);
        (await TextOf(tab.Page.Locator("#facts .countries"))).ShouldStartWith("9 countries: Afghanistan (AFG), Chad (TCD), Djibouti (DJI),");

        // The source's words, quoted and attributed.
        (await TextOf(tab.Page.Locator("#source blockquote"))).ShouldBe(
            "The Director-General announced the signing of a Letter of Intent between IOFS and FAO, aimed at bolstering institutional cooperation in member states.");
        (await TextOf(tab.Page.Locator("#source cite"))).ShouldContain("(article, 22 July 2024)");

        // What the ledger inferred is set apart from what the source states.
        (await TextOf(tab.Page.Locator("#inferred [data-field='status'] dd"))).ShouldContain("a signed instrument is recorded as agreed");
        (await tab.Page.Locator("h1 + p .inferred-mark").CountAsync()).ShouldBe(1);
        (await TextOf(tab.Page.Locator(".page-header .basis"))).ShouldBe("Basis: Stated");

        (await TextOf(tab.Page.Locator("#timeline .timeline__when").First)).ShouldBe("22 July 2024");

        // Without an auditor's token the event history is neither asked for nor shown.
        (await tab.Page.Locator("#history").CountAsync()).ShouldBe(0);

        await tab.ScreenshotAsync("commitment-AST-2024-06");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_matrix_line_shows_its_month_only_date_and_its_derived_basis()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/commitments/GVA-2022-1.1");

        (await TextOf(tab.Page.Locator("#timeline .timeline__when").First)).ShouldBe("July 2022 (month only)");
        (await TextOf(tab.Page.Locator(".page-header .basis"))).ShouldBe("Basis: Agenda topic");
        (await tab.Page.Locator("#inferred [data-field]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.field)"))
            .ShouldBe(["leads", "title", "status"], ignoreOrder: true);

        await tab.ScreenshotAsync("commitment-GVA-2022-1.1");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_country_leads_to_its_page()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/commitments/AST-2024-06");

        await tab.FollowAsync(tab.Page.Locator("#facts a.country", new() { HasText = "SOM" }), "/countries/SOM");

        (await TextOf(tab.Page.Locator("[data-tile='total'] .tile__value"))).ShouldBe("1");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task An_unknown_commitment_is_explained_not_blank()
    {
        await using var tab = await OpenAsync();
        tab.Expect(404, "/api/commitments/AST-2024-99");
        await tab.GotoAsync("/commitments/AST-2024-99");

        (await TextOf(tab.Page.Locator("[data-unavailable='404']"))).ShouldStartWith("Commitment AST-2024-99 is not available.");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task An_auditor_sees_every_event_with_its_hash()
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("auditor"));
        await tab.GotoAsync("/commitments/AST-2024-07");

        (await tab.Page.Locator(".access__who").GetAttributeAsync("data-roles")).ShouldBe("auditor");

        // Pledged, then reported in progress: two events in order, each sealed by its hash.
        var rows = tab.Page.Locator("#history tbody tr");
        (await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.version)")).ShouldBe(["1", "2"]);
        (await rows.Locator("td:nth-child(3)").AllTextContentsAsync()).ShouldBe(["Commitment pledged", "Progress reported"]);
        foreach (var hash in await rows.Locator("code.hash").EvaluateAllAsync<string[]>("codes => codes.map(c => c.title)"))
        {
            hash.ShouldMatch("^[0-9a-f]{64}$");
        }

        await tab.ScreenshotAsync("commitment-AST-2024-07-auditor");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_token_the_ledger_refuses_is_said_so_in_the_header_and_asks_for_no_history()
    {
        // The token says "auditor", but the ledger refuses its signature: the page goes by the ledger's
        // reading (GET /api/session), so it does not ask for the history; the public reads still answer.
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("auditor") + "x");
        var asked = false;
        tab.Page.Request += (_, request) => asked |= request.Url.EndsWith("/history", StringComparison.Ordinal);
        await tab.GotoAsync("/commitments/AST-2024-07");

        (await TextOf(tab.Page.Locator("h1"))).ShouldBe("Afghanistan Food Security Program");
        (await TextOf(tab.Page.Locator(".access__warning"))).ShouldStartWith("The token of this tab is not accepted");
        (await tab.Page.Locator(".access__who").CountAsync()).ShouldBe(0);
        asked.ShouldBeFalse();
        (await tab.Page.Locator("#history").CountAsync()).ShouldBe(0);
        (await tab.Page.Locator(".notice").CountAsync()).ShouldBe(0);
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task An_auditor_pastes_a_token_and_the_page_shows_the_history()
    {
        await using var tab = await OpenAsync();
        await tab.GotoAsync("/commitments/AST-2024-06");
        (await tab.Page.Locator(".access__who").CountAsync()).ShouldBe(0);

        await tab.Page.Locator("[data-action='use-token']").ClickAsync();
        await tab.Page.Locator("#token-input").FillAsync(Fixture.Host.TokenFor("auditor"));
        await tab.Page.EvaluateAsync("() => { window.beforeTheToken = true; }");
        await tab.Page.Locator("dialog button[value='save']").ClickAsync();

        // The page reloads with the token: wait for the new document to be drawn.
        await tab.Page.WaitForFunctionAsync("() => !window.beforeTheToken && document.body.dataset.state === 'ready'");

        (await tab.Page.Locator(".access__who").GetAttributeAsync("data-roles")).ShouldBe("auditor");
        (await tab.Page.Locator("#history tbody tr").CountAsync()).ShouldBe(1);
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_viewer_token_does_not_ask_for_the_history()
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("viewer"));
        var asked = false;
        tab.Page.Request += (_, request) => asked |= request.Url.EndsWith("/history", StringComparison.Ordinal);
        await tab.GotoAsync("/commitments/AST-2024-07");

        asked.ShouldBeFalse();
        (await tab.Page.Locator("#history").CountAsync()).ShouldBe(0);
        tab.ShouldHaveNoProblems();
    }
}
