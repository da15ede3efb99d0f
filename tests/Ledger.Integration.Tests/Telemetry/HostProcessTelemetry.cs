using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>
/// The built host as a process, as an operator sees it: what it prints when it starts, its logs as JSON lines, and
/// Debian's Prometheus scraping its <c>/metrics</c>.
/// </summary>
public sealed partial class HostProcessTelemetry(ITestOutputHelper output)
{
    private static readonly TokenIssuer Tokens = new(Options.Create(new AuthOptions { SigningKey = LedgerHost.SigningKey }), SystemClock.Instance);

    [Fact]
    public async Task a_start_prints_one_line_saying_where_it_listens_which_database_and_role_and_where_telemetry_goes()
    {
        await using var database = await TestDatabase.CreateAsync("startline");
        var settings = Settings(database);

        string first;
        await using (var host = await LedgerProcess.StartAsync("start-first", settings))
        {
            first = await SettledLogAsync(host);
        }

        string normal;
        Uri address;
        await using (var host = await LedgerProcess.StartAsync("start-normal", settings))
        {
            normal = await SettledLogAsync(host);
            address = host.Address;
        }

        output.WriteLine("first start:\n" + first + "\nnormal start:\n" + normal);
        foreach (var log in new[] { first, normal })
        {
            log.ShouldNotContain("for commands", Case.Insensitive, "JasperFx's command discovery prints only for verbs");
            log.ShouldNotContain("found no handlers", Case.Insensitive);
        }

        Entries(first).ShouldBe(["info: Ledger.Host.Importing.SeedOnStartup[1003]", "info: Ledger.Host.Telemetry.StartLine[4001]"],
            "the first start records the meetings' data, and says so");
        Entries(normal).ShouldBe(["info: Ledger.Host.Telemetry.StartLine[4001]"], "a normal start prints its one line, nothing else");

        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var line = normal.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Ledger serving on ", StringComparison.Ordinal));
        line.ShouldBe(
            $"Ledger serving on {address.ToString().TrimEnd('/')}; database {connection.Database} at {connection.Host}:{connection.Port} " +
            $"as {connection.Username}: two roles: {connection.Username} may append events and maintain read models, and cannot change or remove stored events, " +
            $"streams or Merkle rows; the schema belongs to {new NpgsqlConnectionStringBuilder(database.OwnerConnectionString).Username}; " +
            "telemetry: Prometheus at /metrics (this machine); OTLP off");
        normal.ShouldNotContain(connection.Password!);
    }

    [Fact]
    public async Task prometheus_scrapes_the_write_counter_and_every_log_line_is_json_carrying_the_trace_span_and_correlation_ids()
    {
        await using var database = await TestDatabase.CreateAsync("prometheus");
        await using var host = await LedgerProcess.StartAsync("prometheus", Settings(database, new Dictionary<string, string>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:Microsoft.AspNetCore.Routing.EndpointMiddleware"] = "Information", // lines inside a request
        }));
        var watch = Stopwatch.StartNew();
        await using var prometheus = await PrometheusServer.StartAsync(host.Address, TimeSpan.FromSeconds(20));
        var ready = watch.Elapsed;

        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commitments/AST-2024-06/reviews")
        {
            Content = new StringContent("""{"meeting":"AST-2024","rating":"on-track","decision":"continue"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Issue("prometheus.tester", LedgerRoles.Secretariat, null));
        using var response = await client.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200, await response.Content.ReadAsStringAsync());
        var correlation = response.Headers.GetValues("X-Correlation-Id").Single();
        var written = watch.Elapsed;

        IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)> series = [];
        while (watch.Elapsed - written < TimeSpan.FromSeconds(20) && series.Sum(s => s.Value) < 1)
        {
            await Task.Delay(250);
            series = await prometheus.QueryAsync("ledger_writes_total{ledger_outcome=\"accepted\"}");
        }

        var seen = watch.Elapsed - written;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Prometheus ready {ready.TotalSeconds:0.0} s after the host; its query API returned ledger_writes_total{{ledger_outcome=\"accepted\"}} = " +
            $"{series.Sum(s => s.Value)} {seen.TotalSeconds:0.0} s after the write (scrape every 1 s)"));
        series.Sum(s => s.Value).ShouldBe(1);
        series.Single().Labels["http_route"].ShouldBe("/api/commitments/{code}/reviews");
        series.Single().Labels["job"].ShouldBe("ledger");

        var lines = (await host.WaitForLogAsync(correlation, lines: 2)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var entries = lines.Select(l => Should.NotThrow(() => JsonDocument.Parse(l).RootElement, $"not a JSON line: {l}")).ToList();
        entries.ShouldContain(e => e.GetProperty("Category").GetString() == "Ledger.Host.Telemetry.StartLine");

        var ofTheWrite = entries.Where(e => Scope(e, "CorrelationId") == correlation).ToList();
        output.WriteLine(string.Join("\n", ofTheWrite.Select(e => e.GetRawText())));
        ofTheWrite.Count.ShouldBeGreaterThanOrEqualTo(2, "the endpoint's lines inside the request");
        foreach (var entry in ofTheWrite)
        {
            Scope(entry, "TraceId").ShouldNotBeNull().ShouldMatch("^[0-9a-f]{32}$");
            Scope(entry, "SpanId").ShouldNotBeNull().ShouldMatch("^[0-9a-f]{16}$");
            Scope(entry, "RequestPath").ShouldBe("/api/commitments/AST-2024-06/reviews");
            entry.GetProperty("Timestamp").GetString().ShouldNotBeNull().ShouldEndWith("Z");
        }
    }

    private static Dictionary<string, string> Settings(TestDatabase database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Ledger"] = database.ConnectionString,
            ["Ledger:Auth:SigningKey"] = LedgerHost.SigningKey,
            ["Ledger:SeedOnStartup"] = "true",
            // A key, as ./run.sh gives every host; no schedule, so a start signs no head (it would, when the tree grew).
            ["Ledger:TreeHeads:Key"] = LedgerHost.TreeHeadKey.ExportPem(),
            ["Ledger:TreeHeads:Interval"] = "00:00:00",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// The host's output once its start line is there and nothing more came for two seconds: the console logger
    /// writes from a queue of its own, and late noise must be seen too.
    /// </summary>
    private static async Task<string> SettledLogAsync(LedgerProcess host)
    {
        var watch = Stopwatch.StartNew();
        var log = host.ReadLog();
        var quietSince = watch.Elapsed;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            var now = host.ReadLog();
            if (now.Length != log.Length)
            {
                (log, quietSince) = (now, watch.Elapsed);
            }
            else if (log.Contains("Ledger serving on ", StringComparison.Ordinal) && watch.Elapsed - quietSince > TimeSpan.FromSeconds(2))
            {
                return log;
            }
        }

        throw new TimeoutException($"the host's log did not settle with its start line within 30 s:\n{log}");
    }

    /// <summary>The header of each log entry of the console's text format: <c>info: Category[EventId]</c>.</summary>
    private static List<string> Entries(string log) =>
        [.. log.Split('\n').Select(l => l.TrimEnd()).Where(l => EntryHeader().IsMatch(l))];

    private static string? Scope(JsonElement entry, string name) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(name, out _))
                .Select(s => s.GetProperty(name).ToString()).FirstOrDefault()
            : null;

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex EntryHeader();
}
