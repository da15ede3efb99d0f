using System.Diagnostics;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// One browser tab on the dashboard that records every problem a reader would not see: console
/// errors, uncaught script errors, failed requests, HTTP errors and any request that leaves the
/// host (the dashboard must work offline). Tests end with <see cref="ShouldHaveNoProblems"/>.
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(45); // generous: a loaded two-core runner once took over 20 s to draw a commitment page

    private readonly IBrowserContext _context;
    private readonly string _screenshots;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _problems = [];
    private readonly List<(int Status, string Path)> _expected = [];
    private readonly List<string> _failures = [];
    private readonly List<string> _origins = [];

    private DashboardPage(IBrowserContext context, IPage page, string screenshots, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        _screenshots = screenshots;
        _output = output;
    }

    public IPage Page { get; }

    public static async Task<DashboardPage> OpenAsync(IBrowserContext context, Uri origin, string screenshots, ITestOutputHelper output)
    {
        var page = await context.NewPageAsync();
        var tab = new DashboardPage(context, page, screenshots, output);

        // Watched, not intercepted (interception would slow every request down): the closed network
        // refuses such a request anyway, and the test fails on it.
        tab._origins.Add(origin.GetLeftPart(UriPartial.Authority));
        page.Request += (_, request) =>
        {
            if (!tab.IsAllowedOrigin(request.Url) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                tab.Problem($"request outside the host: {request.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !tab.IsExpectedLoadFailure(message))
            {
                tab.Problem($"console error: {message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => tab.Problem($"script error: {error}");
        page.RequestFailed += (_, request) =>
        {
            if (!tab.IsExpectedFailure(request.Url))
            {
                tab.Problem($"request failed: {request.Method} {request.Url}: {request.Failure}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !tab.IsExpected(response.Status, response.Url))
            {
                tab.Problem($"HTTP {response.Status} for {response.Request.Method} {response.Url}");
            }
        };
        return tab;
    }

    /// <summary>The problems seen so far.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Declares an HTTP error the page is meant to meet (an unknown code, say), so it is not counted.</summary>
    public DashboardPage Expect(int status, string pathAndQuery)
    {
        _expected.Add((status, pathAndQuery));
        return this;
    }

    /// <summary>Declares a request the test makes fail on purpose (no answer reaches the page), so it is not counted.</summary>
    public DashboardPage ExpectFailedRequest(string pathAndQuery)
    {
        _failures.Add(pathAndQuery);
        return this;
    }

    /// <summary>Allows requests to another origin the tab is meant to visit (an identity provider).</summary>
    public DashboardPage AllowOrigin(Uri other)
    {
        _origins.Add(other.GetLeftPart(UriPartial.Authority));
        return this;
    }

    /// <summary>Opens a dashboard path and waits until its view has rendered.</summary>
    public async Task GotoAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        var response = await Page.GotoAsync(path);
        response.ShouldNotBeNull();
        response.Status.ShouldBe(200, $"GET {path}");
        await ReadyAsync();
        _output.WriteLine($"{path} drawn in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Clicks a link and waits for the page it leads to (path and query, e.g. <c>/overdue?meeting=GVA-2022</c>).</summary>
    public async Task FollowAsync(ILocator link, string expected)
    {
        new Uri(Page.Url).PathAndQuery.ShouldNotBe(expected, "the link must lead elsewhere, or the wait below proves nothing");
        await link.ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).PathAndQuery == expected);
        await ReadyAsync();
    }

    /// <summary>Waits for the script to finish drawing the view (body[data-state=ready]).</summary>
    public Task ReadyAsync() =>
        Page.Locator("body[data-state='ready']").WaitForAsync(new() { Timeout = (float)ReadyTimeout.TotalMilliseconds });

    /// <summary>Saves a full-page screenshot as TestResults/screenshots/{name}.png and logs where.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(_screenshots, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    public void ShouldHaveNoProblems() =>
        _problems.ShouldBeEmpty("The page met problems:\n" + string.Join("\n", _problems));

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _context.DisposeAsync();
    }

    private void Problem(string text)
    {
        lock (_problems)
        {
            _problems.Add(text);
        }
    }

    private bool IsAllowedOrigin(string url) => _origins.Exists(o => url.StartsWith(o + "/", StringComparison.Ordinal) || url == o);

    private bool IsExpectedFailure(string url) =>
        _failures.Exists(path => string.Equals(new Uri(url).PathAndQuery, path, StringComparison.OrdinalIgnoreCase));

    private bool IsExpected(int status, string url)
    {
        var pathAndQuery = new Uri(url).PathAndQuery;
        return _expected.Any(e => e.Status == status && string.Equals(e.Path, pathAndQuery, StringComparison.OrdinalIgnoreCase));
    }

    // Chromium logs "Failed to load resource: … status of 404" for an HTTP error, also for a fetch()
    // the page handles; such a line is expected when the status was.
    // Likewise "Failed to load resource: net::ERR_FAILED" for a request the test made fail.
    private bool IsExpectedLoadFailure(IConsoleMessage message) =>
        message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
        && (_expected.Any(e => message.Text.Contains($"status of {e.Status}", StringComparison.Ordinal)
                               && message.Location.Contains(e.Path, StringComparison.OrdinalIgnoreCase))
            || (message.Text.Contains("net::ERR_FAILED", StringComparison.Ordinal)
                && _failures.Exists(path => message.Location.Contains(path, StringComparison.OrdinalIgnoreCase))));
}
