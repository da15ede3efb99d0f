using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alba;
using Ledger.Host.Hosting;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Ledger.Integration.Tests.Support;

/// <summary>A write as a client sends it: JSON body, optional token and headers; the answer as status, headers and body.</summary>
public sealed record WriteResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Asserts an RFC 9457 problem with this status and returns it.</summary>
    public JsonElement ShouldBeProblem(int status)
    {
        Status.ShouldBe(status, Body);
        Header("Content-Type")!.ShouldStartWith("application/problem+json");
        var problem = Json;
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        return problem;
    }
}

public static class Writes
{
    /// <summary>
    /// Posts JSON (a string as it is, an object serialized; null: no body at all) with an HttpClient against the
    /// in-memory server, so every status (4xx included) comes back as it is.
    /// </summary>
    public static async Task<WriteResponse> PostAsync(
        this IAlbaHost host, string url, object? body, string? token = null, IReadOnlyDictionary<string, string>? headers = null,
        string contentType = "application/json")
    {
        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, ApiJson.Options);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new WriteResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), all);
    }

    /// <summary>Number of events stored in one commitment's stream.</summary>
    public static async Task<int> StreamLengthAsync(this IAlbaHost host, string code)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(code)).Count;
    }
}
