using Ledger.Host.ProjectionOps;

namespace Ledger.Host.Dashboards;

/// <summary>The dashboards' services: reads, projection freshness, the stall watch and its health check.</summary>
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
        services.AddSingleton<DashboardReads>();
        services.AddHostedService<ProjectionSampler>();
        services.AddHealthChecks().AddCheck<ProjectionHealthCheck>(ProjectionHealthCheck.Name, tags: ["ready"]);
        return builder;
    }
}
