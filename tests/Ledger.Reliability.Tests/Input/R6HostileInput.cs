using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Host.Security;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Input;

/// <summary>
/// R6: hostile input gets a 4xx problem detail and writes nothing. The corpus is generated (CsCheck) from
/// the host's own OpenAPI document — every write route's body and every query and path parameter of every
/// route, so a new route or parameter is in it without a change here — and sent over loopback to a real
/// host process, Kestrel included. Every answer must be a 4xx <c>application/problem+json</c>, none a 5xx;
/// the events and streams tables hold the same rows before and after; the host is healthy after. Requests
/// no client library sends (a NUL or control byte in the request line, a NUL in a header) go over a raw
/// socket: the server refuses those itself, before the application, with a 4xx and no body.
/// The seed is fixed (a failure names its case and replays with the same seed); set
/// <c>LEDGER_R6_SEED</c> to explore another corpus.
/// </summary>
public sealed class R6HostileInput(ITestOutputHelper output)
{
    public const string SeedVariable = "LEDGER_R6_SEED";
    private const ulong DefaultSeed = 20240722;

    [Fact]
    public async Task Every_hostile_request_gets_a_4xx_problem_and_writes_nothing()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s ? ulong.Parse(s, CultureInfo.InvariantCulture) : DefaultSeed;
        output.WriteLine($"R6 corpus seed {seed} (set {SeedVariable} to explore another)");
        await using var database = await TestDatabase.CreateAsync("r6");
        await using var host = await LedgerProcess.StartAsync("r6", FaultHosts.Settings(database));
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
        var tokens = new Dictionary<string, string>
        {
            [LedgerRoles.Secretariat] = FaultHosts.Token(LedgerRoles.Secretariat),
            [LedgerRoles.Auditor] = FaultHosts.Token(LedgerRoles.Auditor),
        };

        var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var operations = ApiSurface.Read(document).Where(o => o.Route.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        var corpus = new HostileCorpus(seed).For(operations);
        var before = await RowsAsync(database);

        var watch = Stopwatch.StartNew();
        var answers = new List<(HostileRequest Request, int Status, string? ContentType, string Body)>();
        foreach (var request in corpus)
        {
            var (status, type, body) = await SendAsync(client, request, tokens);
            answers.Add((request, status, type, body));
        }

        var raw = await SendRawAsync(host.Address, tokens[LedgerRoles.Secretariat]);
        var after = await RowsAsync(database);
        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        watch.Stop();

        var failures = answers.Where(a => !IsProblem(a.Status, a.ContentType, a.Body)).ToList();
        foreach (var (request, status, type, body) in failures.Take(20))
        {
            output.WriteLine($"NOT REFUSED AS A PROBLEM: {status} {type} {(body.Length > 300 ? body[..300] : body)}\n  case {corpus.ToList().IndexOf(request)} of seed {seed}: {request}");
        }

        var rawFailures = raw.Where(r => r.Answer.Status is < 400 or > 499 || (r.ReachesTheApp && !IsProblem(r.Answer.Status, r.Answer.ContentType, null))).ToList();
        foreach (var (name, answer, _) in rawFailures)
        {
            output.WriteLine($"RAW NOT REFUSED: {name}: {answer.Status} {answer.ContentType} {answer.Body}");
        }

        var byStatus = string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
        var byKind = string.Join(", ", answers.GroupBy(a => a.Request.Kind.Split(' ')[0]).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        var serverErrors = answers.Count(a => a.Status >= 500) + raw.Count(r => r.Answer.Status >= 500);
        var protocol = raw.Where(r => !r.ReachesTheApp).ToList();
        Figures.Report(output, "R6",
            $"{answers.Count} generated hostile requests (seed {seed}) over {operations.Count(o => o.IsWrite)} write and {operations.Count(o => !o.IsWrite)} read routes, " +
            $"{operations.Sum(o => o.Query.Count)} query and {operations.Sum(o => o.PathParameters.Count)} path parameters, from the host's OpenAPI document " +
            $"-> {answers.Count - failures.Count} x 4xx application/problem+json ({byStatus}); {serverErrors} x 5xx; " +
            $"events {before.Events} -> {after.Events}, streams {before.Streams} -> {after.Streams}; " +
            $"{protocol.Count} malformed request lines and headers refused by Kestrel before the app ({string.Join(", ", protocol.GroupBy(r => r.Answer.Status).Select(g => $"{g.Key}: {g.Count()}"))}, no body); " +
            $"host healthy after ({(int)health.StatusCode}); {watch.Elapsed.TotalSeconds:0.0} s. Cases by kind: {byKind}");

        failures.ShouldBeEmpty($"{failures.Count} hostile requests were not answered with a 4xx problem (seed {seed}); see the output");
        rawFailures.ShouldBeEmpty();
        serverErrors.ShouldBe(0);
        answers.Count.ShouldBeGreaterThanOrEqualTo(500);
        after.ShouldBe(before, "a refused request writes nothing");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static bool IsProblem(int status, string? contentType, string? body)
    {
        if (status is < 400 or > 499 || contentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
        {
            return false;
        }

        if (body is null)
        {
            return true;
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("status", out var s) && s.GetInt32() == status
                   && problem.RootElement.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<(int Status, string? ContentType, string Body)> SendAsync(
        HttpClient client, HostileRequest request, Dictionary<string, string> tokens)
    {
        // The target goes out exactly as written: no canonicalization of its escapes, no stripping of what it holds.
        var uri = new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + request.Target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[request.Role]);
        foreach (var (name, value) in request.Headers)
        {
            if (name == "Expect")
            {
                message.Headers.ExpectContinue = true;
                continue;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is { } body)
        {
            message.Content = request.Chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
            if (request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        try
        {
            using var response = await client.SendAsync(message);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            // The server answered before the whole body was sent and closed the connection: no answer to judge.
            return (0, null, e.Message);
        }
    }

    /// <summary>Requests only a raw socket sends; each is refused by Kestrel itself, or (a malformed chunk) by the app's body reader.</summary>
    private static async Task<List<(string Name, RawAnswer Answer, bool ReachesTheApp)>> SendRawAsync(Uri address, string token)
    {
        string[] headers = [$"Host: {address.Authority}", $"Authorization: Bearer {token}", "Connection: close"];
        var json = Encoding.UTF8.GetBytes("""{"meeting":"AST-2024","rating":"on-track","decision":"continue"}""");
        var cases = new List<(string, byte[], bool)>
        {
            ("NUL in a read's path", RawHttp.Request("GET", "/api/commitments/AST%00", headers), false),
            ("NUL in a dashboard's path", RawHttp.Request("GET", "/api/dashboard/countries/%00", headers), false),
            ("NUL in a write's path", RawHttp.Request("POST", "/api/commitments/AST-2024-06%00/reviews",
                [.. headers, "Content-Type: application/json", $"Content-Length: {json.Length}"], json), false),
            ("raw control byte in the target", RawHttp.Request("GET", [.. "/api/commitments/AST"u8, 0x01], headers), false),
            ("raw NUL byte in the target", RawHttp.Request("GET", [.. "/api/commitments?org=A"u8, 0x00], headers), false),
            ("raw DEL byte in the target", RawHttp.Request("GET", [.. "/api/commitments/AST"u8, 0x7F], headers), false),
            ("request line over 8 KiB", RawHttp.Request("GET", "/api/commitments/" + new string('A', 9000), headers), false),
            ("NUL in a header value", RawHttp.Request("GET", "/api/meetings", [.. headers, "X-Correlation-Id: a\0b"]), false),
            ("non-ASCII bytes in a header value", RawHttp.Request("GET", "/api/meetings", [.. headers, "X-Correlation-Id: caf\u00e9"]), false),
            ("headers over 32 KiB", RawHttp.Request("GET", "/api/meetings", [.. headers, "X-Padding: " + new string('p', 40_000)]), false),
            ("Content-Length that is no number", RawHttp.Request("POST", "/api/commitments/AST-2024-06/reviews",
                [.. headers, "Content-Type: application/json", "Content-Length: abc"], json), false),
            ("malformed chunk framing", RawHttp.Request("POST", "/api/commitments/AST-2024-06/reviews",
                [.. headers, "Content-Type: application/json", "Transfer-Encoding: chunked"], Encoding.ASCII.GetBytes("zz\r\n{}\r\n0\r\n\r\n")), true),
            ("chunked body cut short", RawHttp.Request("POST", "/api/commitments/AST-2024-06/reviews",
                [.. headers, "Content-Type: application/json", "Transfer-Encoding: chunked"], Encoding.ASCII.GetBytes("40\r\n{\"meeting\":")), true),
        };

        var answers = new List<(string, RawAnswer, bool)>();
        foreach (var (name, bytes, reachesTheApp) in cases)
        {
            answers.Add((name, await RawHttp.SendAsync(address, bytes, TimeSpan.FromSeconds(30)), reachesTheApp));
        }

        return answers;
    }

    private static async Task<(long Events, long Streams)> RowsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select (select count(*) from ledger.mt_events), (select count(*) from ledger.mt_streams)", connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
