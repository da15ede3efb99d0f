using Ledger.Host.DatabaseRoles;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Host.Health;

/// <summary>
/// The protection of stored events, read from the database at every call (one catalog query): healthy with two
/// roles and every trigger enabled; degraded when a guarantee does not hold by construction (a single role that owns
/// the schema, a superuser, privileges beyond the runtime's); unhealthy when a protection trigger is disabled,
/// missing or replaced.
/// </summary>
public sealed class ProtectionHealthCheck(SchemaStep schema) : IHealthCheck
{
    public const string Name = "protection";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        DatabaseSituation situation;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            situation = await schema.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("protection unknown: the database did not answer: " + e.Message);
        }

        var data = situation.ToData();
        if (!situation.ProtectionIntact)
        {
            return HealthCheckResult.Unhealthy(situation.Statement, data: data);
        }

        return situation.NotHolding.Count == 0
            ? HealthCheckResult.Healthy(situation.Statement, data)
            : HealthCheckResult.Degraded(situation.Statement, data: data);
    }
}
