using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Once per collection: a test database, the real host on a loopback port (seeded, fake clock) and
/// one headless Chromium. Each test opens its own browser context.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private LedgerWebHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public LedgerWebHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not started.");

    /// <summary>Screenshots of every page the tests look at: <c>TestResults/screenshots</c> beside the test assembly.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>How long starting the host and the browser took, for the test log.</summary>
    public string StartupTimings { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        // Never let Playwright look for (or fetch) a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var launch = Chromium.LaunchOptions(); // fails first, with instructions, when Chromium is missing

        var clock = Stopwatch.StartNew();
        _database = await TestDatabase.CreateAsync("web");
        _host = await LedgerWebHost.StartAsync(_database);
        var hostReady = clock.Elapsed;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(launch);
        StartupTimings = $"host {hostReady.TotalSeconds:0.0} s, Chromium {(clock.Elapsed - hostReady).TotalSeconds:0.0} s ({_browser.Version})";

        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>
    /// A fresh browser tab (its own context: no shared storage) watching for problems; with a token,
    /// the tab reads the ledger as the dashboard's token form would leave it (sessionStorage).
    /// </summary>
    public async Task<DashboardPage> OpenAsync(ITestOutputHelper output, string? token = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(10_000); // a missing element fails in seconds, not half a minute

        if (token is not null)
        {
            await context.AddInitScriptAsync($"sessionStorage.setItem('ledger.token', '{token}');");
        }

        return await DashboardPage.OpenAsync(context, Host.BaseAddress, ScreenshotDirectory, output);
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardGroup : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
