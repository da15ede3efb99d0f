using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Once per collection: a test database, the real host on a loopback port (seeded, fake clock) and
/// one headless Chromium. Each test opens its own browser context.
/// </summary>
public abstract class WebFixture : IAsyncLifetime
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
        _database = await TestDatabase.CreateAsync(DatabasePurpose);
        _host = await StartHostAsync(_database);
        var hostReady = clock.Elapsed;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(launch);
        StartupTimings = $"host {hostReady.TotalSeconds:0.0} s, Chromium {(clock.Elapsed - hostReady).TotalSeconds:0.0} s ({_browser.Version})";

        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>What the collection's database is named after.</summary>
    protected abstract string DatabasePurpose { get; }

    /// <summary>Starts the collection's host on its database.</summary>
    protected virtual Task<LedgerWebHost> StartHostAsync(TestDatabase database) => LedgerWebHost.StartAsync(database);

    public virtual async Task DisposeAsync()
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
            // Once per tab, as a paste would: a reload after signing out must not bring the token back.
            await context.AddInitScriptAsync(
                $"if (!sessionStorage.getItem('ledger.test-token')) {{ sessionStorage.setItem('ledger.test-token', '1'); sessionStorage.setItem('ledger.token', '{token}'); }}");
        }

        return await DashboardPage.OpenAsync(context, Host.BaseAddress, ScreenshotDirectory, output);
    }
}

/// <summary>The dashboard's reads: its host is never written to, so every figure the tests check is the seed's.</summary>
public sealed class DashboardFixture : WebFixture
{
    protected override string DatabasePurpose => "web";
}

[CollectionDefinition(Name)]
public sealed class DashboardGroup : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>
/// The forms' tests: a host and database of their own, since they write. Each test writes to
/// commitments no other test of the collection touches, so their order does not matter.
/// </summary>
public sealed class WritingFixture : WebFixture
{
    protected override string DatabasePurpose => "web-writes";
}

[CollectionDefinition(Name)]
public sealed class WritingGroup : ICollectionFixture<WritingFixture>
{
    public const string Name = "writing";
}

/// <summary>
/// Signing in through an identity provider: a <see cref="TestIdentityProvider"/> with the pages registered
/// as its public browser client, and a host that accepts its tokens only (on the system clock, like the
/// provider) and offers sign-in through it.
/// </summary>
public sealed class SignInFixture : WebFixture
{
    public const string WebClientId = "ledger-web";

    public static readonly ProviderUser FaoFocalPoint = new("amina.fao", "focal-point", "FAO");
    public static readonly ProviderUser Secretariat = new("omar.secretariat", "secretariat");

    private TestIdentityProvider? _provider;

    public TestIdentityProvider Provider => _provider ?? throw new InvalidOperationException("The provider is not started.");

    protected override string DatabasePurpose => "web-oidc";

    protected override async Task<LedgerWebHost> StartHostAsync(TestDatabase database)
    {
        _provider = await TestIdentityProvider.StartAsync([], TestIdentityProvider.NewKey("browser-provider-1"));
        var host = await LedgerWebHost.StartAsync(database, new Dictionary<string, string?>
        {
            ["Ledger:Auth:Authority"] = _provider.Address.ToString(),
            ["Ledger:Auth:AllowHttpLoopbackAuthority"] = "true",
            ["Ledger:Auth:WebClientId"] = WebClientId,
        }, systemClock: true);
        _provider.RegisterBrowserClient(new BrowserClient(WebClientId, new Uri(host.BaseAddress, "/signed-in"), [FaoFocalPoint, Secretariat]));

        // The provider answers its first request slowly (OpenIddict warms up): not in the browser's time.
        using var client = new HttpClient { BaseAddress = _provider.Address, Timeout = TimeSpan.FromSeconds(60) };
        (await client.GetAsync(new Uri(".well-known/openid-configuration", UriKind.Relative))).EnsureSuccessStatusCode();
        return host;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SignInGroup : ICollectionFixture<SignInFixture>
{
    public const string Name = "sign-in";
}
