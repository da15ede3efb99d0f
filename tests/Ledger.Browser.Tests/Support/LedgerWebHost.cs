using System.Net;
using System.Security.Cryptography;
using Ledger.Host.Security;
using Marten;
using JasperFx.Events;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Wolverine;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// The real host on a free loopback port (Kestrel, not the in-memory test server, which a browser
/// cannot reach), against a test database, seeded at start-up, with a fake clock (or, for an identity
/// provider's tokens, which are issued by the system clock, the system clock).
/// </summary>
public sealed class LedgerWebHost : WebApplicationFactory<Program>
{
    /// <summary>The fake clock's instant: the morning after Astana 2024 closed (as in the integration tests).</summary>
    public static readonly Instant Start = Instant.FromUtc(2024, 7, 25, 6, 0);

    // Signs the tokens the tests mint (an auditor's, a viewer's); fresh for each run.
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _systemClock;

    private LedgerWebHost(string connectionString, IReadOnlyDictionary<string, string?> settings, bool systemClock)
    {
        _connectionString = connectionString;
        _settings = settings;
        _systemClock = systemClock;
    }

    public FakeClock Clock { get; } = new(Start);

    /// <summary>Where the host listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts the host on <paramref name="database"/>, with <paramref name="settings"/> beside the database's and the local signing key, on <see cref="Clock"/> or (<paramref name="systemClock"/>) the system clock.</summary>
    public static async Task<LedgerWebHost> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null, bool systemClock = false)
    {
        var host = new LedgerWebHost(database.ConnectionString, settings ?? new Dictionary<string, string?>(), systemClock);
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();

        var addresses = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        host.BaseAddress = new Uri(addresses.Addresses.Single());

        // The dashboards' async projections catch up with the seed before any page is read.
        await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    /// <summary>A bearer token for the given role, as the <c>token</c> verb mints it (the user is <c>role[.org]@browser-tests</c>).</summary>
    public string TokenFor(string role, string? organization = null) =>
        Services.GetRequiredService<TokenIssuer>().Issue(UserFor(role, organization), role, organization);

    /// <summary>The user of <see cref="TokenFor"/>'s tokens.</summary>
    public static string UserFor(string role, string? organization = null) =>
        organization is null ? $"{role}@browser-tests" : $"{role}.{organization.ToLowerInvariant()}@browser-tests";

    /// <summary>The events of a commitment's stream, as stored: what the tests count writes by.</summary>
    public async Task<IReadOnlyList<IEvent>> EventsAsync(string code)
    {
        await using var session = Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.FetchStreamAsync(code);
    }

    /// <summary>A write as another client would send it (behind a page's back), through the HTTP API.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string json, string token, long? ifMatch = null)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (ifMatch is { } version)
        {
            request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{version}\""));
        }

        return await client.SendAsync(request);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Configuration, not UseSetting: the factory passes settings to Program as command-line
        // arguments, which the JasperFx command line refuses.
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = _connectionString,
            ["Ledger:SeedOnStartup"] = "true",
            ["Ledger:Auth:SigningKey"] = SigningKey,
        }.Concat(_settings)));
        builder.ConfigureServices(services =>
        {
            if (!_systemClock)
            {
                services.AddSingleton<IClock>(Clock);
            }

            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
        });
    }
}
