using Alba;
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

    public static Task<IAlbaHost> StartAsync(TestDatabase database, FakeClock clock, bool seedOnStartup = false) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", database.ConnectionString);
            builder.UseSetting("Ledger:SeedOnStartup", seedOnStartup ? "true" : "false");
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(clock);
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });

    public static async Task<long> EventCountAsync(this IAlbaHost host)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var stats = await store.Advanced.FetchEventStoreStatistics();
        return stats.EventCount;
    }
}
