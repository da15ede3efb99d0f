using System.Reflection;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Host.Telemetry;

/// <summary>
/// OpenTelemetry for the host: traces from ASP.NET Core, Wolverine, Marten and Npgsql with their own
/// instrumentation, the ledger's metrics beside theirs and the .NET runtime's, OTLP export when the standard
/// <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables name a collector, the Prometheus scrape endpoint, JSON console
/// logs that carry their scopes, and the one line a host prints when it starts.
/// </summary>
public static class TelemetryHosting
{
    public const string ServiceName = "unoic-ledger";

    /// <summary>The activity sources traced besides ASP.NET Core's and Npgsql's: Wolverine's, Marten's (its daemon) and the ledger's own.</summary>
    public static readonly string[] TraceSources = ["Wolverine", "Marten", LedgerMetrics.MeterName];

    /// <summary>The meters exported besides ASP.NET Core's, the runtime's and Npgsql's: the ledger's own, Marten's and Wolverine's (<c>Wolverine:{application}</c>).</summary>
    public static readonly string[] Meters = [LedgerMetrics.MeterName, "Marten", "Wolverine*"];

    public static WebApplicationBuilder AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var exporters = TelemetryExporters.From(configuration);
        services.AddSingleton(exporters);
        services.AddSingleton<LedgerMetrics>();
        services.AddSingleton<ProjectionLagGauge>();
        services.Configure<MetricsOptions>(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<MetricsAccess>();
        services.AddHostedService<StartLine>();

        // Every problem answer passes through the problem details service: that is where a refused write's kind is seen.
        services.PostConfigure<ProblemDetailsOptions>(o =>
        {
            var customize = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                RequestTelemetry.NoteProblem(context);
            };
        });

        // Marten's count of appended events, and how many events each FetchForWriting folded to decide a write. Not its
        // session spans (TrackConnections): with them on and anything listening, Marten 9.59 fails a session opened on
        // an external transaction as soon as its Connection is read (the dashboards' snapshot reads do), and the SQL
        // spans sit under the request without them.
        services.ConfigureMarten(o =>
        {
            o.OpenTelemetry.TrackEventCounters();
            o.OpenTelemetry.TrackFetchForWritingMetrics();
        });

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(ServiceName, serviceVersion: typeof(TelemetryHosting).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion)
                .AddEnvironmentVariableDetector()) // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults above
            .WithTracing(tracing => tracing
                .AddProcessor<PollingFilter>()
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    !context.Request.Path.StartsWithSegments(MetricsOptions.Path) && !context.Request.Path.StartsWithSegments("/health"))
                .AddSource(TraceSources)
                .AddNpgsql())
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(Meters)
                    .AddInstrumentation(sp => sp.GetRequiredService<ProjectionLagGauge>());
                if (exporters.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (exporters.Otlp.Count > 0)
        {
            // Traces, metrics and logs, each to its OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT or the common one.
            telemetry.UseOtlpExporter();
            services.Configure<OpenTelemetryLoggerOptions>(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
        }

        // Logging:Console:FormatterName=json: one JSON object a line, with its scopes (trace and span ids, the
        // request, the correlation id) and UTC timestamps, unless Logging:Console:FormatterOptions says otherwise.
        services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            var formatter = configuration.GetSection("Logging:Console:FormatterOptions");
            o.IncludeScopes = formatter.GetValue(nameof(o.IncludeScopes), true);
            o.UseUtcTimestamp = formatter.GetValue(nameof(o.UseUtcTimestamp), true);
            o.TimestampFormat = formatter[nameof(o.TimestampFormat)] ?? (o.UseUtcTimestamp ? "yyyy-MM-ddTHH:mm:ss.fffZ" : "yyyy-MM-ddTHH:mm:ss.fffzzz");
        });
        return builder;
    }

    /// <summary>The request telemetry (right after the correlation id is fixed) and <c>GET /metrics</c>.</summary>
    public static WebApplication UseLedgerTelemetry(this WebApplication app)
    {
        app.UseMiddleware<RequestTelemetry>();
        if (app.Services.GetRequiredService<TelemetryExporters>().Prometheus)
        {
            var access = app.Services.GetRequiredService<MetricsAccess>();
            app.MapPrometheusScrapingEndpoint(MetricsOptions.Path, meterProvider: null, branch => branch.Use(access.GuardAsync), optionsName: null)
                .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
                .WithDisplayName("Prometheus scrape endpoint")
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        return app;
    }
}

/// <summary>Where telemetry goes, decided once from configuration at start.</summary>
/// <param name="Prometheus"><c>GET /metrics</c> is served (<c>Ledger:Metrics:Enabled</c>).</param>
/// <param name="AllowFrom">The networks besides the machine itself that may read it.</param>
/// <param name="Otlp">The OTLP endpoints set (the common one, or per signal); none: nothing is exported.</param>
public sealed record TelemetryExporters(bool Prometheus, IReadOnlyList<string> AllowFrom, IReadOnlyList<string> Otlp)
{
    public static readonly string[] OtlpEndpointKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    public static TelemetryExporters From(IConfiguration configuration)
    {
        var metrics = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = OtlpEndpointKeys
            .Where(key => !string.IsNullOrWhiteSpace(configuration[key]))
            .Select(key => $"{Signal(key)}{Printable(configuration[key]!)}")
            .ToList();
        return new TelemetryExporters(metrics.Enabled, [.. metrics.AllowFrom], otlp);
    }

    /// <summary>For the start line: <c>Prometheus at /metrics (this machine); OTLP off</c>.</summary>
    public string Describe()
    {
        var prometheus = Prometheus
            ? $"Prometheus at {MetricsOptions.Path} ({string.Join(", ", AllowFrom.Prepend("this machine"))})"
            : "Prometheus off";
        var otlp = Otlp.Count > 0 ? "OTLP to " + string.Join(", ", Otlp) : "OTLP off";
        return $"{prometheus}; {otlp}";
    }

    private static string Signal(string key) => key.Split('_') is [_, _, _, var signal, "ENDPOINT"] ? signal.ToLowerInvariant() + " " : string.Empty;

    /// <summary>An endpoint without any credentials its address may carry.</summary>
    private static string Printable(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')
            : "(not an address)";
}
