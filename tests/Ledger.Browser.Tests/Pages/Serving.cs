using System.Net;
using Ledger.Browser.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Pages;

/// <summary>How the host serves the pages: anonymous, from its own files, with a strict content policy.</summary>
public sealed class Serving(DashboardFixture fixture, ITestOutputHelper output) : DashboardTest(fixture, output)
{
    public static TheoryData<string> Pages =>
    [
        "/", "/meetings/GVA-2022", "/organizations/IOFS", "/countries/AFG", "/overdue", "/activity", "/commitments/AST-2024-06",
    ];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_is_the_dashboard_served_anonymously(string path)
    {
        using var client = new HttpClient { BaseAddress = Fixture.Host.BaseAddress };
        using var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("default-src 'self'");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        (await response.Content.ReadAsStringAsync()).ShouldContain("<script type=\"module\" src=\"/js/app.js\"></script>");
    }

    [Theory]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/css/ledger.css", "text/css")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task Assets_are_served_anonymously_from_the_host(string path, string mediaType)
    {
        using var client = new HttpClient { BaseAddress = Fixture.Host.BaseAddress };
        using var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
    }

    [Fact]
    public async Task A_page_loads_nothing_from_outside_the_host()
    {
        await using var tab = await OpenAsync();
        var origins = new List<string>();
        tab.Page.Request += (_, request) => origins.Add(new Uri(request.Url).GetLeftPart(UriPartial.Authority));
        await tab.GotoAsync("/commitments/AST-2024-06");

        origins.Distinct().ShouldBe([Fixture.Host.BaseAddress.GetLeftPart(UriPartial.Authority)]);
        tab.ShouldHaveNoProblems();
    }
}
