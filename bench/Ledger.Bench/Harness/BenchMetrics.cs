using System.Diagnostics.Metrics;
using Ledger.Host.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Bench.Harness;

/// <summary>The ledger's metrics for the parts the bench runs in its own process (verification, the rebuild proof): recorded, not exported.</summary>
internal static class BenchMetrics
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static LedgerMetrics Ledger { get; } = new(Services.GetRequiredService<IMeterFactory>());
}
