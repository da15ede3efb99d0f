using Ledger.Host.ProjectionOps;
using Ledger.Host.Reading;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Dashboards;

/// <summary>The dashboards' services: reads and their budget, shared replays, projection freshness, the stall watch and its health check.</summary>
public static class DashboardHosting
{
    public static WebApplicationBuilder AddLedgerDashboards(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ProjectionOpsOptions>(builder.Configuration.GetSection(ProjectionOpsOptions.Section));
        services.AddSingleton<ProjectionCatalog>();
        services.AddSingleton<StallTracker>();
        services.AddSingleton<ProjectionMonitor>();
        services.AddSingleton<EventScan>();
        services.AddSingleton<ProjectionVerifier>();
        services.AddOptions<ReadOptions>().Bind(builder.Configuration.GetSection(ReadOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReadOptions>, ReadOptionsValidation>();
        services.AddSingleton<ReadBudget>();
        services.AddSingleton<SharedReplays>();
        services.AddSingleton<DashboardReads>();
        services.AddHostedService<ProjectionSampler>();
        services.AddHealthChecks().AddCheck<ProjectionHealthCheck>(ProjectionHealthCheck.Name, tags: ["ready"]);
        return builder;
    }
}
