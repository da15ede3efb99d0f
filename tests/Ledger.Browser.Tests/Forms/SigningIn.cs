using Ledger.Browser.Tests.Support;
using Ledger.Domain.Commitments;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Forms;

/// <summary>
/// Signing in through the identity provider from the page, end to end in the browser: the
/// authorization code flow with PKCE against a real OpenID Connect provider, then a write with its token.
/// </summary>
[Collection(SignInGroup.Name)]
public sealed class SigningIn(SignInFixture fixture, ITestOutputHelper output) : WebTest<SignInFixture>(fixture, output)
{
    private const float Navigation = 30_000;

    [Fact]
    public async Task A_focal_point_signs_in_through_the_provider_reports_progress_and_signs_out()
    {
        const string Code = "AST-2024-06";
        await using var tab = await OpenAsync();
        tab.AllowOrigin(Fixture.Provider.Address);
        var sentToTheLedger = new List<string>();
        tab.Page.Request += (_, request) =>
        {
            if (request.Url.StartsWith(Fixture.Host.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal))
            {
                lock (sentToTheLedger)
                {
                    sentToTheLedger.Add(request.Url);
                }
            }
        };
        await tab.GotoAsync($"/commitments/{Code}");
        (await tab.Page.Locator("#progress-form").CountAsync()).ShouldBe(0, "nobody is signed in yet");

        // To the provider: it lists who may sign in; pick FAO's focal point. (Navigations get 30 s: a
        // loaded machine runs the other test assemblies beside this one.)
        var toProvider = tab.Page.WaitForURLAsync(url => url.StartsWith(Fixture.Provider.Address.ToString(), StringComparison.Ordinal), new() { Timeout = Navigation });
        await tab.Page.Locator("[data-action='sign-in']").ClickAsync();
        try
        {
            await toProvider;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The page did not go to the provider; its header says '{await TextOf(tab.Page.Locator(".access__status"))}'.");
        }
        var authorize = new Uri(tab.Page.Url);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        query["response_type"].ShouldBe("code");
        query["client_id"].ShouldBe(SignInFixture.WebClientId);
        query["code_challenge_method"].ShouldBe("S256");
        query["code_challenge"].ShouldNotBeNullOrEmpty();
        query["response_mode"].ShouldBe("fragment", "the code comes back in the fragment, which no request carries");
        query["redirect_uri"].ShouldBe(new Uri(Fixture.Host.BaseAddress, "/signed-in").AbsoluteUri);
        await tab.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = SignInFixture.FaoFocalPoint.Subject, Exact = false }).ClickAsync();

        // Back through /signed-in (the code exchanged for a token) to the page the sign-in started from.
        await tab.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/commitments/{Code}", new() { Timeout = Navigation });
        await tab.ReadyAsync();
        var who = tab.Page.Locator(".access__who");
        (await TextOf(who.Locator(".access__user"))).ShouldBe(SignInFixture.FaoFocalPoint.Subject);
        (await TextOf(who.Locator(".access__role"))).ShouldBe("Focal point");
        (await TextOf(who.Locator(".access__org"))).ShouldBe("FAO");
        Fixture.Provider.Hits("/connect/token").ShouldBe(1);
        lock (sentToTheLedger)
        {
            sentToTheLedger.ShouldContain(url => new Uri(url).AbsolutePath == "/signed-in");
            sentToTheLedger.ShouldNotContain(url => url.Contains("code=", StringComparison.Ordinal), "the authorization code never reaches the ledger's server");
        }

        (await tab.Page.EvaluateAsync<string>("() => location.hash")).ShouldBeEmpty();
        await tab.ScreenshotAsync("signed-in-through-the-provider");

        var form = new WriteForm(tab.Page, "progress-form");
        await form.Labelled("Status").SelectOptionAsync("in-progress");
        await form.Labelled("What happened").FillAsync("Reported by a focal point signed in through the identity provider.");
        (await form.SubmitAsync()).ShouldBe("recorded");
        var report = (await Fixture.Host.EventsAsync(Code))[^1].Data.ShouldBeOfType<ProgressReported>();
        report.RecordedBy.User.ShouldBe(SignInFixture.FaoFocalPoint.Subject);
        report.RecordedBy.Organization.ShouldBe("FAO");

        await tab.Page.Locator("[data-action='sign-out']").ClickAsync();
        await tab.Page.Locator("[data-action='sign-in']").WaitForAsync();
        await tab.ReadyAsync();
        (await tab.Page.Locator(".access__who").CountAsync()).ShouldBe(0);
        (await tab.Page.Locator("#progress-form").CountAsync()).ShouldBe(0);
        tab.ShouldHaveNoProblems();
    }
}
