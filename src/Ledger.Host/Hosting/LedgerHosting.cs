using JasperFx;
using Ledger.Host.Audit;
using Ledger.Host.Dashboards;
using Ledger.Host.Health;
using Ledger.Host.Importing;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Ledger.Host.Writing.Idempotency;
using Ledger.Host.Web;
using Ledger.Projections;
using Marten;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.Http.Marten;
using Wolverine.Marten;

namespace Ledger.Host.Hosting;

/// <summary>Composition of the host: one place to read how the pieces fit together.</summary>
public static class LedgerHosting
{
    public const string ConnectionStringName = "Ledger";

    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<LedgerOptions>(builder.Configuration.GetSection(LedgerOptions.Section));
        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context => Problems.Polish(context.ProblemDetails));
        services.AddExceptionHandler<DatabaseUnavailable>();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));

        services.AddMarten(sp =>
            {
                var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName);
                var opts = new StoreOptions();
                opts.Connection(string.IsNullOrWhiteSpace(connectionString) ? throw MissingConnectionString() : connectionString);
                opts.ConfigureLedger();
                opts.Schema.For<IdempotentRequest>().Index(x => x.ExpiresAtUnixSeconds);
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // The async daemon (dashboards) runs under Wolverine's agent distribution: every async
            // projection runs on exactly one node of the cluster, rebalanced as nodes come and go.
            .IntegrateWithWolverine(m => m.UseWolverineManagedEventSubscriptionDistribution = true);

        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        builder.Host.UseWolverine(opts =>
        {
            opts.Policies.AutoApplyTransactions();
            cluster.ApplyTo(opts.Durability);
        });
        services.AddWolverineHttp();

        services.AddSingleton<LedgerImporter>();
        services.AddSingleton<CommitmentWriter>();
        services.AddHostedService<EventImmutabilitySetup>();
        services.AddSingleton<RawEvents>();
        services.AddSingleton<LedgerAudit>();
        services.Configure<IdempotencyOptions>(builder.Configuration.GetSection(IdempotencyOptions.Section));
        services.AddHostedService<IdempotencyCleanup>();
        services.AddLedgerOpenApi();
        services.AddHostedService<SeedOnStartup>();
        services.AddLedgerHealth();
        builder.AddLedgerDashboards();
        builder.AddLedgerSecurity();
        builder.AddLedgerWeb();
        return builder;
    }

    public static WebApplication UseLedger(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapLedgerWeb(); // the web pages and their files: anonymous, so before authentication
        app.UseCorrelationIds();
        app.UseLedgerAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseRequestSizeProblems();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.MapLedgerHealth();
        app.MapLedgerOpenApi();
        app.MapWolverineEndpoints(opts =>
        {
            opts.MapMartenConcurrencyFailuresToConflict();
            opts.AddPolicy<LedgerWritePolicy>();
            opts.RejectUnparseableQueryValues = true;
        });
        return app;
    }

    private static InvalidOperationException MissingConnectionString() => new(
        $"No PostgreSQL connection string: set ConnectionStrings:{ConnectionStringName} " +
        $"(environment variable ConnectionStrings__{ConnectionStringName}), or start the ledger with ./run.sh.");
}
