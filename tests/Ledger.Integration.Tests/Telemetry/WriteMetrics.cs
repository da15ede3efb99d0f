using System.Text.Json;
using Alba;
using Ledger.Host.ProjectionOps;
using Ledger.Host.Security;
using Ledger.Host.Telemetry;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Audit;
using OpenTelemetry.Metrics;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>The ledger's metrics as an exporter receives them: writes by route and outcome, projection lag, verification and rebuild times.</summary>
[Collection(TelemetryGroup.Name)]
public sealed class WriteMetrics(TelemetryFixture fixture, ITestOutputHelper output)
{
    private const string Reviews = "/api/commitments/{code}/reviews";

    private static readonly object OnTrack = new { meeting = "AST-2024", rating = "on-track", decision = "continue" };

    private IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task every_outcome_of_a_write_is_counted_once_by_route_and_outcome()
    {
        var before = Snapshot();
        string Secretariat(string user) => Host.TokenFor(LedgerRoles.Secretariat, user: $"metrics.{user}");

        (await Host.PostAsync("/api/commitments/AST-2024-08/reviews", OnTrack, Secretariat("accepted"))).Status.ShouldBe(200);
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "metrics-replay" };
        (await Host.PostAsync("/api/commitments/AST-2024-09/reviews", OnTrack, Secretariat("replay"), key)).Status.ShouldBe(200);
        (await Host.PostAsync("/api/commitments/AST-2024-09/reviews", OnTrack, Secretariat("replay"), key)).Header("Idempotent-Replayed").ShouldBe("true");
        (await Host.PostAsync("/api/commitments/AST-2024-09/reviews", new { meeting = "AST-2024", rating = "delayed", decision = "continue" }, Secretariat("replay"), key))
            .ShouldBeProblem(422);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", new { meeting = "AST-2024", decision = "continue" }, Secretariat("invalid")))
            .ShouldBeProblem(400);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", new { meeting = "AST-2024", rating = "completed-verified", decision = "close" }, Secretariat("not-allowed")))
            .ShouldBeProblem(422);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", OnTrack, Host.TokenFor(LedgerRoles.Viewer, user: "metrics.viewer"))).ShouldBeProblem(403);
        (await Host.PostAsync("/api/commitments/AST-2024-98/reviews", OnTrack, Secretariat("not-found"))).ShouldBeProblem(404);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", OnTrack, Secretariat("conflict"), new Dictionary<string, string> { ["If-Match"] = "\"7\"" }))
            .ShouldBeProblem(409);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", OnTrack)).ShouldBeProblem(401);
        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", new string(' ', 70_000), Secretariat("too-large"))).ShouldBeProblem(413);
        for (var i = 0; i < TelemetryFixture.WritesPerMinute; i++)
        {
            (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", new { }, Secretariat("rate"))).ShouldBeProblem(400);
        }

        (await Host.PostAsync("/api/commitments/AST-2024-01/reviews", new { }, Secretariat("rate"))).ShouldBeProblem(429);

        var counted = Snapshot();
        var delta = counted.Keys.Union(before.Keys)
            .Select(k => (Key: k, Count: counted.GetValueOrDefault(k) - before.GetValueOrDefault(k)))
            .Where(d => d.Count != 0)
            .ToDictionary(d => d.Key, d => d.Count);
        output.WriteLine(string.Join("\n", delta.OrderBy(d => d.Key).Select(d => $"{LedgerMetrics.Writes}{{{d.Key}}} +{d.Value}")));
        delta.ShouldBe(new Dictionary<string, long>
        {
            [$"{Reviews} accepted"] = 2,
            [$"{Reviews} idempotent-replay"] = 1,
            [$"{Reviews} key-reused"] = 1,
            [$"{Reviews} invalid"] = 1 + TelemetryFixture.WritesPerMinute,
            [$"{Reviews} not-allowed"] = 1,
            [$"{Reviews} forbidden"] = 1,
            [$"{Reviews} not-found"] = 1,
            [$"{Reviews} conflict"] = 1,
            [$"{Reviews} unauthenticated"] = 1,
            [$"{Reviews} too-large"] = 1,
            [$"{Reviews} rate-limited"] = 1,
        }, ignoreOrder: true);

        // ASP.NET Core's own request duration carries the outcome too.
        fixture.Points("http.server.request.duration")
            .Where(p => Tag(p, "http.route") == Reviews && Tag(p, LedgerMetrics.OutcomeAttribute) == "accepted")
            .Sum(p => p.GetHistogramCount()).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task the_libraries_and_the_runtime_report_beside_the_ledger()
    {
        // A meeting's batch of reviews commits through a Marten session (a single commitment's write is one statement
        // of the ledger's own, counted by ledger.writes), so Marten's own instruments see it.
        (await Host.PostAsync("/api/meetings/AST-2024/reviews", new
        {
            reviews = new object[] { new { commitment = "AST-2024-02", rating = "on-track", decision = "continue" } },
        }, Host.TokenFor(LedgerRoles.Secretariat, user: "metrics.libraries"))).Status.ShouldBe(200);

        fixture.Points("marten.event.append").ShouldContain(p => Tag(p, "event.type") == "review-decision-recorded" && p.GetSumLong() >= 1);
        fixture.Points("marten.fetch_for_writing.events_replayed").Sum(p => p.GetHistogramCount()).ShouldBeGreaterThan(0);
        fixture.Points("db.client.operation.duration").Sum(p => p.GetHistogramCount()).ShouldBeGreaterThan(0);
        fixture.Points("dotnet.process.cpu.time").ShouldNotBeEmpty();
        fixture.Points("dotnet.assembly.count").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task projection_lag_is_what_the_monitor_last_read_for_every_projection_and_the_merkle_tree()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/projections");
            s.StatusCodeShouldBeOk();
        });
        var report = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.GetProperty("projections").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("lag").GetInt64());

        var lags = fixture.Points(LedgerMetrics.ProjectionLag).ToDictionary(p => Tag(p, LedgerMetrics.ProjectionAttribute)!, p => p.GetGaugeLastValueLong());
        output.WriteLine(string.Join("\n", lags.Select(l => $"{LedgerMetrics.ProjectionLag}{{{l.Key}}} {l.Value}")));
        lags.Keys.ShouldContain(LedgerMerkleTree.SubscriptionName);
        lags.ShouldBe(report, ignoreOrder: true);
    }

    [Fact]
    public async Task a_verification_and_a_rebuild_proof_record_how_long_they_took()
    {
        var auditor = Host.TokenFor(LedgerRoles.Auditor, user: "metrics.auditor");
        var verifications = Histogram(LedgerMetrics.VerificationDuration, "intact");
        var rebuilds = Histogram(LedgerMetrics.RebuildDuration, "matches");

        (await Host.PostAsync("/api/ledger/verify", new { }, auditor)).Status.ShouldBe(200);
        (await Host.PostAsync("/api/projections/verify", null, auditor)).Status.ShouldBe(200);

        var verified = Histogram(LedgerMetrics.VerificationDuration, "intact");
        var rebuilt = Histogram(LedgerMetrics.RebuildDuration, "matches");
        output.WriteLine($"verification: {verified.Count - verifications.Count} recorded, {verified.Seconds - verifications.Seconds:0.000} s; " +
                         $"rebuild proof: {rebuilt.Count - rebuilds.Count} recorded, {rebuilt.Seconds - rebuilds.Seconds:0.000} s");
        (verified.Count - verifications.Count).ShouldBe(1);
        (verified.Seconds - verifications.Seconds).ShouldBeGreaterThan(0);
        (rebuilt.Count - rebuilds.Count).ShouldBe(1);
        (rebuilt.Seconds - rebuilds.Seconds).ShouldBeGreaterThan(0);
    }

    /// <summary><see cref="LedgerMetrics.Writes"/> now, by "route outcome".</summary>
    private Dictionary<string, long> Snapshot() =>
        fixture.Points(LedgerMetrics.Writes)
            .GroupBy(p => $"{Tag(p, LedgerMetrics.RouteAttribute)} {Tag(p, LedgerMetrics.OutcomeAttribute)}")
            .ToDictionary(g => g.Key, g => g.Sum(p => p.GetSumLong()));

    private (long Count, double Seconds) Histogram(string name, string result)
    {
        var points = fixture.Points(name).Where(p => Tag(p, LedgerMetrics.ResultAttribute) == result).ToList();
        return (points.Sum(p => p.GetHistogramCount()), points.Sum(p => p.GetHistogramSum()));
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
