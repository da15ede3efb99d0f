using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Health;

/// <summary>The event store answers, and how much it holds.</summary>
public sealed class DatabaseHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var stats = await store.Advanced.FetchEventStoreStatistics(token: timeout.Token);
            return HealthCheckResult.Healthy("event store reachable", new Dictionary<string, object>
            {
                ["events"] = stats.EventCount,
                ["streams"] = stats.StreamCount,
                ["eventSequence"] = stats.EventSequenceNumber,
            });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("event store unreachable: " + e.Message);
        }
    }
}
