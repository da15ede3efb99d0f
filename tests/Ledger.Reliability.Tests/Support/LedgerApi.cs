using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Host.Security;
using Shouldly;

namespace Ledger.Reliability.Tests.Support;

/// <summary>What a host answered: status, media type and body, and how long it took.</summary>
public sealed record Answer(HttpStatusCode Status, string? ContentType, string Body, TimeSpan Took)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public bool IsProblem => ContentType == "application/problem+json" && Body.Length > 0;

    /// <summary>The stream version a successful write reports.</summary>
    public long Version => JsonDocument.Parse(Body).RootElement.GetProperty("version").GetInt64();
}

/// <summary>Where one projection stands, as <c>GET /api/projections</c> says it.</summary>
public sealed record ProjectionView(string Name, string Lifecycle, long Position, long Lag, string Status, JsonElement? Failure);

/// <summary>The calls the fault suite makes to a host process, over real HTTP.</summary>
public static class LedgerApi
{
    public static readonly string Secretariat = FaultHosts.Token(LedgerRoles.Secretariat, user: "secretariat.fault-suite");
    public static readonly string Auditor = FaultHosts.Token(LedgerRoles.Auditor, user: "auditor.fault-suite");

    /// <summary>Records a review decision whose remarks identify it; with <paramref name="ifMatch"/>, expecting that version.</summary>
    public static async Task<Answer> ReviewAsync(HttpClient client, string code, string remarks, long? ifMatch = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{code}/reviews")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { meeting = "AST-2024", rating = "on-track", decision = "continue", remarks }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = FaultHosts.Bearer(Secretariat);
        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }

        return await SendAsync(client, request, ct);
    }

    public static async Task<Answer> GetAsync(HttpClient client, string path, string? token = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = FaultHosts.Bearer(token);
        }

        return await SendAsync(client, request, ct);
    }

    public static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, watch.Elapsed);
    }

    /// <summary>The seeded commitments a review may be recorded on (none withdrawn), in the ledger's order.</summary>
    public static async Task<IReadOnlyList<string>> ReviewableCodesAsync(HttpClient client)
    {
        var answer = await GetAsync(client, "/api/commitments?pageSize=100");
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        return [.. JsonDocument.Parse(answer.Body).RootElement.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("status").GetString() != "withdrawn")
            .Select(i => i.GetProperty("id").GetString()!)];
    }

    public static async Task<(long HighWaterMark, IReadOnlyList<ProjectionView> Projections)> ProjectionsAsync(HttpClient client, CancellationToken ct = default)
    {
        var answer = await GetAsync(client, "/api/projections", ct: ct);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        var root = JsonDocument.Parse(answer.Body).RootElement;
        return (root.GetProperty("highWaterMark").GetInt64(), [.. root.GetProperty("projections").EnumerateArray().Select(p => new ProjectionView(
            p.GetProperty("name").GetString()!,
            p.GetProperty("lifecycle").GetString()!,
            p.GetProperty("position").GetInt64(),
            p.GetProperty("lag").GetInt64(),
            p.GetProperty("status").GetString()!,
            p.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.Object ? failure.Clone() : null))]);
    }

    /// <summary>
    /// Waits until every async projection (and the Merkle subscription) has reached the ledger's high-water mark,
    /// polling <c>/api/projections</c>; returns how long it took. Fails after <paramref name="timeout"/>, naming the laggards.
    /// </summary>
    public static async Task<TimeSpan> WaitUntilCaughtUpAsync(HttpClient client, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var last = "no answer";
        while (watch.Elapsed < timeout)
        {
            try
            {
                var (hwm, projections) = await ProjectionsAsync(client);
                var behind = projections.Where(p => p.Lag > 0).ToList();
                if (behind.Count == 0)
                {
                    return watch.Elapsed;
                }

                last = $"high-water mark {hwm}; behind: " + string.Join(", ", behind.Select(p => $"{p.Name} at {p.Position} ({p.Status})"));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ShouldAssertException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the projections did not catch up within {timeout.TotalSeconds:0} s: {last}");
    }

    /// <summary>The ledger's own verification (<c>POST /api/ledger/verify</c>), optionally against a saved digest.</summary>
    public static async Task<JsonElement> VerifyLedgerAsync(HttpClient client, JsonElement? digest = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ledger/verify");
        request.Headers.Authorization = FaultHosts.Bearer(Auditor);
        if (digest is { } saved)
        {
            request.Content = JsonContent.Create(new { digest = saved });
        }

        var answer = await SendAsync(client, request);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        return JsonDocument.Parse(answer.Body).RootElement.Clone();
    }

    /// <summary>The product's rebuild proof (<c>POST /api/projections/verify</c>): every projection against a rebuild from the events.</summary>
    public static async Task<JsonElement> VerifyProjectionsAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projections/verify");
        request.Headers.Authorization = FaultHosts.Bearer(Auditor);
        var answer = await SendAsync(client, request);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        return JsonDocument.Parse(answer.Body).RootElement.Clone();
    }

    /// <summary>The ledger's digest now (<c>GET /api/ledger/digest</c>).</summary>
    public static async Task<JsonElement> DigestAsync(HttpClient client)
    {
        var answer = await GetAsync(client, "/api/ledger/digest", Auditor);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body);
        return JsonDocument.Parse(answer.Body).RootElement.Clone();
    }
}
