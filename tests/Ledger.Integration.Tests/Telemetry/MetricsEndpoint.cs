using System.Net;
using System.Text.Json;
using Alba;
using Ledger.Host.Security;
using Ledger.Host.Telemetry;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary><c>GET /metrics</c>: the Prometheus text of the same metrics, for this machine and the networks allowed, no one else.</summary>
[Collection(TelemetryGroup.Name)]
public sealed class MetricsEndpoint(TelemetryFixture fixture)
{
    private IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task the_machine_itself_reads_the_write_counter_in_prometheus_text()
    {
        (await Host.PostAsync("/api/commitments/AST-2024-03/reviews", new { meeting = "AST-2024", rating = "on-track", decision = "continue" },
            Host.TokenFor(LedgerRoles.Secretariat, user: "scrape.writer"))).Status.ShouldBe(200);

        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.StatusCodeShouldBeOk();
        });
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("text/plain");
        var text = await result.ReadAsTextAsync();
        text.ShouldContain("# TYPE ledger_writes_total counter");
        text.Split('\n').ShouldContain(l => l.StartsWith("ledger_writes_total{", StringComparison.Ordinal)
                                            && l.Contains("http_route=\"/api/commitments/{code}/reviews\"", StringComparison.Ordinal)
                                            && l.Contains("ledger_outcome=\"accepted\"", StringComparison.Ordinal));
        text.ShouldContain("http_server_request_duration_seconds_bucket");
        text.ShouldContain("dotnet_process_cpu_time_seconds_total");
    }

    [Theory]
    [InlineData("203.0.113.7", null)]
    [InlineData("127.0.0.1", "198.51.100.20")] // a proxy on this machine, forwarding someone else's request
    public async Task anyone_else_gets_a_403_problem(string peer, string? forwardedFor)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/metrics");
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(peer));
            if (forwardedFor is not null)
            {
                s.WithRequestHeader("X-Forwarded-For", forwardedFor);
            }

            s.StatusCodeShouldBe(403);
            s.ContentTypeShouldBe("application/problem+json");
        });
        JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.GetProperty("detail").GetString()
            .ShouldNotBeNull().ShouldContain("Ledger:Metrics:AllowFrom");
    }

    [Fact]
    public async Task it_is_read_only()
    {
        await Host.Scenario(s =>
        {
            s.Post.Url("/metrics");
            s.WithRequestHeader("Authorization", "Bearer " + Host.TokenFor(LedgerRoles.Secretariat, user: "scrape.poster"));
            s.StatusCodeShouldBe(405);
        });
    }

    [Theory]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("::1", false, true)]
    [InlineData(null, false, true)] // a Unix socket, the in-process server
    [InlineData("127.0.0.1", true, false)]
    [InlineData("203.0.113.7", false, true)]
    [InlineData("::ffff:203.0.113.200", true, true)]
    [InlineData("203.0.114.1", false, false)]
    [InlineData("198.51.100.9", false, true)]
    [InlineData("198.51.100.10", false, false)]
    [InlineData("2001:db8::1", false, true)]
    public void access_is_the_machine_itself_unforwarded_or_a_network_allowed(string? peer, bool forwarded, bool allowed)
    {
        var options = new MetricsOptions();
        foreach (var network in new[] { "203.0.113.0/24", "198.51.100.9", "2001:db8::/32" })
        {
            options.AllowFrom.Add(network);
        }

        new MetricsAccess(Options.Create(options)).Allows(peer is null ? null : IPAddress.Parse(peer), forwarded).ShouldBe(allowed);
    }

    [Fact]
    public void a_setting_that_is_no_network_stops_the_host_naming_it()
    {
        var options = new MetricsOptions();
        options.AllowFrom.Add("office");
        Should.Throw<InvalidOperationException>(() => new MetricsAccess(Options.Create(options)))
            .Message.ShouldContain("Ledger:Metrics:AllowFrom holds 'office'");
    }
}
