using Alba;
using Ledger.Integration.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Ledger.Integration.Tests.Security;

/// <summary>
/// The ledger host pointed at a <see cref="TestIdentityProvider"/> (<c>Ledger:Auth:Authority</c>), on the
/// system clock like the provider, with every read needing a token. A local signing key is configured
/// too, to show that it is off while an authority is set.
/// </summary>
public static class ProviderBackedLedger
{
    public static Task<IAlbaHost> StartAsync(TestDatabase database, TestIdentityProvider provider, IReadOnlyDictionary<string, string>? settings = null) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", database.ConnectionString);
            builder.UseSetting("Ledger:SeedOnStartup", "true");
            builder.UseSetting("Ledger:Dashboards:Public", "false");
            builder.UseSetting("Ledger:Auth:Authority", provider.Address.ToString());
            builder.UseSetting("Ledger:Auth:AllowHttpLoopbackAuthority", "true");
            builder.UseSetting("Ledger:Auth:SigningKey", LedgerHost.SigningKey);
            builder.UseSetting("Ledger:Auth:ProviderKeysMinimumRefreshInterval", "00:00:01");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });
}
