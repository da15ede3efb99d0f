using System.Diagnostics;
using System.Text;
using Alba;
using Ledger.Host.Security;
using Ledger.Host.Telemetry;
using Ledger.Integration.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>
/// One write is one trace: the request's server span (which Wolverine.Http's endpoint tags with its handler: it runs
/// inside the request and has no span of its own), and every SQL statement Marten sends for it under that.
/// </summary>
[Collection(TelemetryGroup.Name)]
public sealed class WriteTraces(TelemetryFixture fixture, ITestOutputHelper output)
{
    private IAlbaHost Host => fixture.Host;

    [Fact]
    public async Task a_write_is_one_trace_from_the_request_to_the_sql_tagged_with_correlation_commitment_and_outcome()
    {
        var response = await Host.PostAsync("/api/commitments/AST-2024-07/reviews",
            new { meeting = "AST-2024", rating = "on-track", decision = "continue" }, Host.TokenFor(LedgerRoles.Secretariat, user: "traces.accepted"));
        response.Status.ShouldBe(200, response.Body);
        var correlation = response.Header("X-Correlation-Id").ShouldNotBeNull();

        var trace = await TraceAsync(correlation);
        output.WriteLine(Describe(trace));

        var request = trace.Single(s => s.Kind == ActivityKind.Server);
        request.ParentSpanId.ShouldBe(default, "the request starts the trace");
        request.GetTagItem("http.route").ShouldBe("/api/commitments/{code}/reviews");
        request.GetTagItem("ledger.correlation_id").ShouldBe(correlation);
        request.GetTagItem("ledger.commitment").ShouldBe("AST-2024-07");
        request.GetTagItem("ledger.outcome").ShouldBe("accepted");
        request.GetTagItem("handler.type").ShouldBe("Ledger.Host.Commitments.Reviewing.RecordReviewEndpoint", "Wolverine.Http ran the endpoint inside the request");

        var sql = trace.Where(s => s.Source.Name == "Npgsql").ToList();
        sql.Count.ShouldBeGreaterThanOrEqualTo(2, "the commitment is read, then the events appended");
        sql.ShouldAllBe(s => s.Kind == ActivityKind.Client && (string?)s.GetTagItem("db.system.name") == "postgresql");
        sql.ShouldContain(s => ((string?)s.GetTagItem("db.query.text") ?? "").Contains("mt_events", StringComparison.Ordinal), "Marten's append of the events");
        trace.Where(s => s != request).ShouldAllBe(s => Ancestors(s, trace).Contains(request), "every span nests under the request");
    }

    [Fact]
    public async Task a_refused_write_says_why_on_its_span_and_reaches_no_sql_it_does_not_need()
    {
        var response = await Host.PostAsync("/api/commitments/AST-2024-99/reviews",
            new { meeting = "AST-2024", rating = "on-track", decision = "continue" }, Host.TokenFor(LedgerRoles.Secretariat, user: "traces.refused"));
        response.ShouldBeProblem(404);

        var trace = await TraceAsync(response.Header("X-Correlation-Id").ShouldNotBeNull());
        output.WriteLine(Describe(trace));
        var request = trace.Single(s => s.Kind == ActivityKind.Server);
        request.GetTagItem("ledger.outcome").ShouldBe("not-found");
        request.GetTagItem("ledger.commitment").ShouldBe("AST-2024-99");
        trace.Where(s => s.Source.Name == "Npgsql").ShouldAllBe(s => Ancestors(s, trace).Contains(request));
    }

    [Fact]
    public async Task a_pledge_names_the_commitment_it_created()
    {
        var response = await Host.PostAsync("/api/commitments",
            new { code = "AST-2024-31", meeting = "AST-2024", title = "Traced pledge", kind = "mechanism", leads = new[] { "IOFS" } },
            Host.TokenFor(LedgerRoles.Secretariat, user: "traces.pledge"));
        response.Status.ShouldBe(201, response.Body);

        var request = (await TraceAsync(response.Header("X-Correlation-Id").ShouldNotBeNull())).Single(s => s.Kind == ActivityKind.Server);
        request.GetTagItem("ledger.commitment").ShouldBe("AST-2024-31");
        request.GetTagItem("ledger.outcome").ShouldBe("accepted");
    }

    [Fact]
    public async Task an_idle_host_records_none_of_its_polling()
    {
        var polls = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Marten",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None, // the host's provider decides
            ActivityStarted = activity => Interlocked.Add(ref polls, activity.OperationName == PollingFilter.HighWaterMarkPoll ? 1 : 0),
        };
        ActivitySource.AddActivityListener(listener);
        var from = fixture.Spans.Count;
        var watch = Stopwatch.StartNew();
        while (Volatile.Read(ref polls) < 3 && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        var recorded = fixture.Spans.Since(from);
        output.WriteLine($"{polls} high-water polls in {watch.Elapsed.TotalSeconds:0.0} s; recorded meanwhile: " +
                         string.Join(", ", recorded.GroupBy(s => $"{s.Source.Name} {s.DisplayName}").Select(g => $"{g.Count()} × {g.Key}")));
        polls.ShouldBeGreaterThanOrEqualTo(3, "the daemon polls the high-water mark while the host is idle");
        recorded.ShouldNotContain(s => s.OperationName == PollingFilter.HighWaterMarkPoll);
        recorded.ShouldNotContain(s => s.Kind == ActivityKind.Client && s.ParentSpanId == default, "a statement with nothing above it");
    }

    /// <summary>Every span of the trace, once its request's span has ended (it ends after the answer is sent).</summary>
    private async Task<List<Activity>> TraceAsync(string traceId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var trace = fixture.Spans.Since(0).Where(s => s.TraceId.ToHexString() == traceId).ToList();
            if (trace.Any(s => s.Kind == ActivityKind.Server) || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return trace;
            }

            await Task.Delay(20);
        }
    }

    private static List<Activity> Ancestors(Activity span, List<Activity> trace)
    {
        var ancestors = new List<Activity>();
        for (var parent = trace.Find(p => p.SpanId == span.ParentSpanId); parent is not null && ancestors.Count < trace.Count;
             parent = trace.Find(p => p.SpanId == parent.ParentSpanId))
        {
            ancestors.Add(parent);
        }

        return ancestors;
    }

    private static string Describe(List<Activity> trace)
    {
        var text = new StringBuilder();
        void Write(Activity span, int depth)
        {
            text.Append(' ', depth * 2).Append($"{span.Source.Name}: {span.DisplayName} ({span.Kind}, {span.Duration.TotalMilliseconds:0.0} ms)");
            foreach (var tag in span.TagObjects.Where(t => t.Key.StartsWith("ledger.", StringComparison.Ordinal) || t.Key is "http.route" or "handler.type"))
            {
                text.Append($" {tag.Key}={tag.Value}");
            }

            text.AppendLine();
            foreach (var child in trace.Where(c => c.ParentSpanId == span.SpanId).OrderBy(c => c.StartTimeUtc))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in trace.Where(s => !trace.Any(p => p.SpanId == s.ParentSpanId)))
        {
            Write(root, 0);
        }

        return text.ToString();
    }
}
