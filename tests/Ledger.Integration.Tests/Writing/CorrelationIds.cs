using System.Net;
using Alba;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Marten;
using NodaTime.Testing;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

/// <summary>
/// The correlation id stored on a request's events is the ledger's own: a caller's X-Correlation-Id is kept
/// as its reference, next to its user, and a caller's traceparent is continued only from a trusted proxy.
/// </summary>
public sealed class CorrelationIds(LedgerFixture fixture) : WriteTest(fixture)
{
    private static readonly object Review = new { meeting = "AST-2024", rating = "on-track", decision = "continue" };

    [Fact]
    public async Task two_callers_with_the_same_x_correlation_id_are_told_apart()
    {
        var label = new Dictionary<string, string> { ["X-Correlation-Id"] = "review-batch-7" };
        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", Review, Host.TokenFor(LedgerRoles.Secretariat, user: "officer.one"), label);
        var second = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", Review, Host.TokenFor(LedgerRoles.Secretariat, user: "officer.two"), label);
        first.Status.ShouldBe(200, first.Body);
        second.Status.ShouldBe(200, second.Body);

        var events = (await HistoryAsync()).TakeLast(2).ToList();

        first.Header("X-Correlation-Id").ShouldNotBe(second.Header("X-Correlation-Id"));
        events.Select(e => e.GetProperty("correlationId").GetString()).ShouldBe([first.Header("X-Correlation-Id"), second.Header("X-Correlation-Id")]);
        events.Select(e => e.GetProperty("callerReference").GetString()).ShouldBe(["review-batch-7", "review-batch-7"]);
        events.Select(e => e.GetProperty("user").GetString()).ShouldBe(["officer.one", "officer.two"]);
        events.Select(e => e.GetProperty("causationId").GetString()).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task a_caller_cannot_give_its_events_another_requests_correlation_id()
    {
        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", Review, Host.TokenFor(LedgerRoles.Secretariat, user: "officer.one"));
        var taken = first.Header("X-Correlation-Id")!;

        // The second caller replays the first request's id every way it can: as its X-Correlation-Id and as the trace it continues.
        var second = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", Review, Host.TokenFor(LedgerRoles.Secretariat, user: "officer.two"),
            new Dictionary<string, string> { ["X-Correlation-Id"] = taken, ["traceparent"] = $"00-{taken}-00f067aa0ba902b7-01" });
        second.Status.ShouldBe(200, second.Body);

        second.Header("X-Correlation-Id").ShouldNotBe(taken);
        await using var session = Store.QuerySession();
        var carrying = await session.Events.QueryAllRawEvents().Where(e => e.CorrelationId == taken).ToListAsync();
        carrying.ShouldHaveSingleItem().UserName.ShouldBe("officer.one");
        var mine = (await HistoryAsync())[^1];
        mine.GetProperty("correlationId").GetString().ShouldBe(second.Header("X-Correlation-Id"));
        mine.GetProperty("callerReference").GetString().ShouldBe(taken, "kept as the second caller's own label, under its own user");
        mine.GetProperty("user").GetString().ShouldBe("officer.two");
    }

    [Fact]
    public async Task a_problem_names_the_ledgers_correlation_id_as_its_trace()
    {
        var refused = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", "{}", Secretariat,
            new Dictionary<string, string> { ["X-Correlation-Id"] = "my-own-id" });

        var problem = refused.ShouldBeProblem(400);
        var correlation = refused.Header("X-Correlation-Id")!;
        correlation.ShouldMatch("^[0-9a-f]{32}$");
        problem.GetProperty("traceId").GetString()!.ShouldContain(correlation);
    }

    private async Task<List<System.Text.Json.JsonElement>> HistoryAsync()
    {
        var history = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}/history");
            s.WithRequestHeader("Authorization", "Bearer " + Auditor);
        });
        return [.. System.Text.Json.JsonDocument.Parse(await history.ReadAsTextAsync()).RootElement.GetProperty("events").EnumerateArray()];
    }
}

/// <summary>A host of its own that trusts one proxy: only that proxy's traceparent becomes the correlation id.</summary>
[Collection(Importing.SeedingGroup.Name)]
public sealed class TrustedProxyCorrelation
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly IPAddress Proxy = IPAddress.Parse("10.20.30.40");

    [Fact]
    public async Task the_trace_of_a_trusted_proxy_is_continued_and_anyone_elses_is_not()
    {
        await using var database = await TestDatabase.CreateAsync("proxy");
        await using var host = await LedgerHost.StartAsync(database, new FakeClock(LedgerHost.Start),
            settings: new Dictionary<string, string> { ["Ledger:Correlation:TrustedProxies:0"] = Proxy.ToString() });

        (await CorrelationFrom(host, Proxy)).ShouldBe(TraceId);
        (await CorrelationFrom(host, IPAddress.Parse("10.20.30.41"))).ShouldNotBe(TraceId);
        (await CorrelationFrom(host, null)).ShouldNotBe(TraceId);
    }

    private static async Task<string> CorrelationFrom(IAlbaHost host, IPAddress? peer)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url("/api/meetings");
            s.WithRequestHeader("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = peer);
        });
        return result.Context.Response.Headers["X-Correlation-Id"].ToString();
    }
}
