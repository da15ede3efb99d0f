using System.Net;
using System.Security.Cryptography;
using Ledger.Host.Security;
using Marten;
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
/// cannot reach), against a test database, seeded at start-up, with a fake clock.
/// </summary>
public sealed class LedgerWebHost : WebApplicationFactory<Program>
{
    /// <summary>The fake clock's instant: the morning after Astana 2024 closed (as in the integration tests).</summary>
    public static readonly Instant Start = Instant.FromUtc(2024, 7, 25, 6, 0);

    // Signs the tokens the tests mint (an auditor's, a viewer's); fresh for each run.
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly string _connectionString;

    private LedgerWebHost(string connectionString)
    {
        _connectionString = connectionString;
    }

    public FakeClock Clock { get; } = new(Start);

    /// <summary>Where the host listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LedgerWebHost> StartAsync(TestDatabase database)
    {
        var host = new LedgerWebHost(database.ConnectionString);
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();

        var addresses = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        host.BaseAddress = new Uri(addresses.Addresses.Single());

        // The dashboards' async projections catch up with the seed before any page is read.
        await host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    /// <summary>A bearer token for the given role, as the <c>token</c> verb mints it.</summary>
    public string TokenFor(string role, string? organization = null) =>
        Services.GetRequiredService<TokenIssuer>().Issue($"{role}@browser-tests", role, organization);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Configuration, not UseSetting: the factory passes settings to Program as command-line
        // arguments, which the JasperFx command line refuses.
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = _connectionString,
            ["Ledger:SeedOnStartup"] = "true",
            ["Ledger:Auth:SigningKey"] = SigningKey,
        }));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IClock>(Clock);
            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
        });
    }
}
