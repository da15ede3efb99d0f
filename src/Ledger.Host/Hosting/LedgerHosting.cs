using JasperFx;
using JasperFx.CommandLine.Descriptions;
using Ledger.Host.Audit;
using Ledger.Host.Audit.TreeHeads;
using Ledger.Host.DatabaseRoles;
using Ledger.Host.Dashboards;
using Ledger.Host.Health;
using Ledger.Host.Importing;
using Ledger.Host.ProjectionOps;
using Ledger.Host.Security;
using Ledger.Host.Telemetry;
using Ledger.Host.Writing;
using Ledger.Host.Writing.Idempotency;
using Ledger.Host.Web;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.Http.Marten;
using Wolverine.Marten;

namespace Ledger.Host.Hosting;

/// <summary>Composition of the host: one place to read how the pieces fit together.</summary>
public static class LedgerHosting
{
    /// <summary>The runtime role's connection string (<c>ConnectionStrings:Ledger</c>), the one a serving host uses.</summary>
    public const string ConnectionStringName = LedgerConnections.RuntimeName;

    /// <summary>Composes the host; <paramref name="args"/> (the command line) name the verb, which decides the role it connects as.</summary>
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder, IReadOnlyList<string>? args = null)
    {
        var services = builder.Services;
        services.AddSingleton(sp => LedgerConnections.From(sp.GetRequiredService<IConfiguration>(), args ?? []));
        services.Configure<LedgerOptions>(builder.Configuration.GetSection(LedgerOptions.Section));
        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context => Problems.Polish(context.ProblemDetails));
        services.AddExceptionHandler<DatabaseUnavailable>();
        // The server's refusals of a request (a body cut short, too slow, too large) are the client's, never a 500.
        services.Configure<ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        services.Configure<CorrelationOptions>(builder.Configuration.GetSection(CorrelationOptions.Section));
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));

        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        services.AddMarten(sp =>
            {
                var opts = new StoreOptions();
                var connections = sp.GetRequiredService<LedgerConnections>();
                // The writes' appender has a pool of its own (CommitmentAppender.PoolShare); the store keeps the rest.
                var shared = CommitmentAppender.StoreShare(connections.Store);
                if (connections.Rebuilds)
                {
                    opts.ConnectLedgerForRebuilds(shared);
                }
                else
                {
                    opts.ConnectLedger(shared);
                }
                opts.ConfigureLedger();
                sp.GetRequiredService<IOptions<ProjectionOpsOptions>>().Value.ApplyTo(opts.Projections);
                opts.Schema.For<IdempotentRequest>().Index(x => x.ExpiresAtUnixSeconds);
                // No DDL as a side effect, ever: the schema is applied on purpose by the role that owns it
                // (SchemaStep: db-apply, import, or a single-role host at start), and a runtime role cannot.
                opts.AutoCreateSchemaObjects = AutoCreate.None;
                return opts;
            })
            .UseLightweightSessions()
            // The async daemon (dashboards) runs under Wolverine's agent distribution: every async
            // projection runs on exactly one node of the cluster, rebalanced as nodes come and go. A host
            // that runs no projections (Ledger:Cluster:RunsProjections=false) never takes one.
            .IntegrateWithWolverine(m => m.UseWolverineManagedEventSubscriptionDistribution = cluster.RunsProjections);

        builder.Host.UseWolverine(opts =>
        {
            opts.Policies.AutoApplyTransactions();
            cluster.ApplyTo(opts.Durability);
            opts.AutoBuildMessageStorageOnStartup = AutoCreate.None; // SchemaStep applies it with the rest
        });
        services.AddWolverineHttp();

        services.AddSingleton<LedgerImporter>();
        services.AddSingleton<ReferenceData>();
        services.AddSingleton<CommitmentAppender>();
        services.AddSingleton<CommitmentWriter>();
        services.AddSingleton<RawEvents>();
        services.AddSingleton<EventReadings>();
        services.AddSingleton<LedgerAudit>();
        builder.AddLedgerTreeHeads();
        services.Configure<IdempotencyOptions>(builder.Configuration.GetSection(IdempotencyOptions.Section));
        services.AddHostedService<IdempotencyCleanup>();
        services.AddLedgerOpenApi();
        services.AddHostedService<SeedOnStartup>();
        services.AddLedgerHealth();
        builder.AddLedgerDashboards();
        builder.AddLedgerSecurity();
        builder.AddLedgerWeb();
        builder.AddLedgerTelemetry();

        // The database first: its schema applied or checked before Wolverine's agents, the daemon or the seed start.
        services.AddSingleton<SchemaStep>();
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseStartup>());
        services.AddSystemPart<DatabaseRolesPart>();
        return builder;
    }

    public static WebApplication UseLedger(this WebApplication app)
    {
        app.UseCorrelationIds(); // first, so every answer (problems included) carries the request's own ids
        app.UseLedgerTelemetry(); // then every answer's outcome is seen: the exception handler's, the input checks', authentication's, the rate limiter's
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestValueChecks(); // every query and path value, once, for every route
        app.MapLedgerWeb(); // the web pages and their files: anonymous, so before authentication
        app.UseLedgerAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseRequestBodyChecks(); // every body, once: size, media type, shape
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
}
