using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Browser.Tests.Support;
using Ledger.Domain.Commitments;
using Ledger.Host.Hosting;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>The header's access area, and what the pages offer each role.</summary>
public sealed class Access(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    [Fact]
    public async Task The_header_says_who_is_signed_in_and_signing_out_forgets_the_token()
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("secretariat"));
        await tab.GotoAsync("/commitments/GVA-2022-1.1");

        var who = tab.Page.Locator(".access__who");
        (await TextOf(who)).ShouldStartWith($"Signed in as {LedgerWebHost.UserFor("secretariat")}");
        (await TextOf(who.Locator(".access__role"))).ShouldBe("Secretariat");
        (await who.Locator(".access__org").CountAsync()).ShouldBe(0);
        (await who.GetAttributeAsync("title")).ShouldBe("Signed in until 25 July 2024, 14:00 UTC", "a local token lives 8 hours on the ledger's clock");

        // The secretariat gets both forms; without a local provider there is no sign-in button, only the token.
        (await tab.Page.Locator("#progress-form").CountAsync()).ShouldBe(1);
        (await tab.Page.Locator("#review-form").CountAsync()).ShouldBe(1);
        (await new WriteForm(tab.Page, "review-form").Labelled("Decided at").InputValueAsync()).ShouldBe("AST-2024");
        await tab.ScreenshotAsync("commitment-GVA-2022-1.1-secretariat");

        await tab.Page.Locator("[data-action='sign-out']").ClickAsync();
        await tab.Page.Locator("[data-action='use-token']").WaitForAsync();
        await tab.ReadyAsync();
        (await tab.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('ledger.token')")).ShouldBeNull();
        (await tab.Page.Locator("[data-action='sign-in']").CountAsync()).ShouldBe(0);
        (await tab.Page.Locator("#main form").CountAsync()).ShouldBe(0);
        tab.ShouldHaveNoProblems();
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("auditor")]
    public async Task Readers_get_no_form(string role)
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor(role));
        await tab.GotoAsync("/commitments/AST-2024-06");
        (await tab.Page.Locator("#record").CountAsync()).ShouldBe(0);
        await tab.GotoAsync("/meetings/AST-2024");
        (await tab.Page.Locator("#batch-review").CountAsync()).ShouldBe(0);
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task The_pages_statuses_are_the_ledgers_in_lifecycle_order()
    {
        // status.js holds the statuses' labels for badges and charts; the forms take the values from
        // GET /api/vocabulary, which reads the domain's enums. All three agree.
        using var client = new HttpClient { BaseAddress = Fixture.Host.BaseAddress };
        var vocabulary = await client.GetFromJsonAsync<JsonElement>("/api/vocabulary");
        var fromApi = vocabulary.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray();
        string[] fromDomain = [.. Enum.GetValues<CommitmentStatus>().Select(s => JsonSerializer.Serialize(s, ApiJson.Options).Trim('"'))];

        await using var tab = await OpenAsync();
        await tab.GotoAsync("/");
        var fromPage = await tab.Page.EvaluateAsync<string[]>("async () => (await import('/js/status.js')).STATUSES.map(s => s.key)");

        fromApi.ShouldBe(fromDomain);
        fromPage.ShouldBe(fromDomain);
        vocabulary.GetProperty("ratings").EnumerateArray().Select(r => r.GetString())
            .ShouldBe(Enum.GetValues<ReviewRating>().Select(r => JsonSerializer.Serialize(r, ApiJson.Options).Trim('"')));
        tab.ShouldHaveNoProblems();
    }
}
