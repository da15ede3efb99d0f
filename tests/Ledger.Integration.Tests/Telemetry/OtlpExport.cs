using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Alba;
using Ledger.Host.Security;
using Ledger.Host.Telemetry;
using Ledger.Integration.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime.Testing;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>
/// With the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces, metrics and logs reach that collector (a loopback
/// OTLP/HTTP receiver here that counts what it is sent); the start line names it.
/// </summary>
public sealed class OtlpExport(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly int _port = LoopbackPort.Free();
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private WebApplication? _collector;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        builder.Logging.ClearProviders();
        _collector = builder.Build();
        _collector.MapPost("/v1/{signal}", async (string signal, HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (body.Length > 0)
            {
                _received.AddOrUpdate(signal, 1, (_, n) => n + 1);
            }

            return Results.Bytes([], "application/x-protobuf"); // an empty Export…ServiceResponse: all accepted
        });
        await _collector.StartAsync();
    }

    [Fact]
    public async Task traces_metrics_and_logs_go_to_the_collector_the_standard_variables_name()
    {
        await using var database = await TestDatabase.CreateAsync("otlp");
        var endpoint = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_port}");
        await using var host = await LedgerHost.StartAsync(database, new FakeClock(LedgerHost.Start), seedOnStartup: true, settings: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        host.Services.GetRequiredService<TelemetryExporters>().Describe().ShouldBe($"Prometheus at /metrics (this machine); OTLP to {endpoint}");

        (await host.PostAsync("/api/commitments/AST-2024-06/reviews", new { meeting = "AST-2024", rating = "on-track", decision = "continue" },
            host.TokenFor(LedgerRoles.Secretariat))).Status.ShouldBe(200); // the seed's and the start line's logs are already on their way

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20) && !new[] { "traces", "metrics", "logs" }.All(_received.ContainsKey))
        {
            await Task.Delay(100);
        }

        output.WriteLine($"after {watch.Elapsed.TotalSeconds:0.0} s the collector had: " +
                         string.Join(", ", _received.OrderBy(r => r.Key).Select(r => $"{r.Value} × /v1/{r.Key}")));
        _received.Keys.ShouldBe(["logs", "metrics", "traces"], ignoreOrder: true);
    }

    public async Task DisposeAsync()
    {
        if (_collector is not null)
        {
            await _collector.DisposeAsync();
        }
    }
}
