using Alba;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Security;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Wolverine;

namespace Ledger.Integration.Tests.Support;

/// <summary>Starts the real host against a test database, with a fake clock and the given settings.</summary>
public static class LedgerHost
{
    /// <summary>The instant the fake clock starts at: the morning after Astana 2024 closed.</summary>
    public static readonly Instant Start = Instant.FromUtc(2024, 7, 25, 6, 0);

    /// <summary>The key test tokens are signed with (base64 of 32 bytes; for tests only).</summary>
    public const string SigningKey = "dGVzdC1vbmx5LXNpZ25pbmcta2V5LTMyLWJ5dGVzISE=";

    /// <summary>The key the hosts sign tree heads with (fresh for each run; heads only on demand, no schedule).</summary>
    public static readonly NoteSigningKey TreeHeadKey = NoteSigningKey.Generate();

    /// <summary>
    /// The host on <paramref name="database"/>, its time from <paramref name="clock"/>; <paramref name="settings"/> (keys such as
    /// <c>Ledger:Reads:Timeout</c>) are applied last, and <paramref name="services"/> after the host's own registrations.
    /// </summary>
    public static Task<IAlbaHost> StartAsync(
        TestDatabase database, FakeClock clock, bool seedOnStartup = false, int writesPerMinute = 100_000,
        IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", database.ConnectionString);
            builder.UseSetting("Ledger:SeedOnStartup", seedOnStartup ? "true" : "false");
            builder.UseSetting("Ledger:Auth:SigningKey", SigningKey);
            builder.UseSetting("Ledger:TreeHeads:Key", TreeHeadKey.ExportPem());
            builder.UseSetting("Ledger:TreeHeads:Interval", "00:00:00");
            builder.UseSetting("Ledger:RateLimits:WritesPerMinute", writesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(collection =>
            {
                collection.AddSingleton<IClock>(clock);
                collection.RunWolverineInSoloMode();
                collection.DisableAllExternalWolverineTransports();

                // In solo mode Wolverine restarts every agent that is not running each CheckAssignmentPeriod (30 s):
                // a test that pauses the daemon on purpose would have it resumed under its feet at a random moment.
                // The tests pause and resume it themselves; nothing else stops an agent here.
                collection.ConfigureWolverine(o => o.Durability.CheckAssignmentPeriod = TimeSpan.FromHours(1));
                services?.Invoke(collection);
            });
        });

    /// <summary>A bearer token as the token verb would mint it.</summary>
    public static string TokenFor(this IAlbaHost host, string role, string? organization = null, string? user = null) =>
        host.Services.GetRequiredService<TokenIssuer>().Issue(user ?? $"{role}.tester", role, organization);

    public static async Task<long> EventCountAsync(this IAlbaHost host)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var stats = await store.Advanced.FetchEventStoreStatistics();
        return stats.EventCount;
    }
}
