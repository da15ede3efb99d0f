using System.Text.Json;
using Alba;
using Ledger.Host.Hosting;
using Shouldly;

namespace Ledger.Integration.Tests.Support;

public static class ScenarioExtensions
{
    /// <summary>GETs a URL (with a bearer token, if given), expects 200 and reads the JSON body as the API writes it.</summary>
    public static async Task<T> GetJsonAsync<T>(this IAlbaHost host, string url, string? token = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            WithToken(s, token);
            s.StatusCodeShouldBeOk();
        });
        return result.ReadAsJson<T>(ApiJson.Options);
    }

    /// <summary>GETs a URL (with a bearer token, if given) and expects an RFC 9457 problem with the given status.</summary>
    public static async Task<JsonElement> GetProblemAsync(this IAlbaHost host, string url, int status, string? token = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            WithToken(s, token);
            s.StatusCodeShouldBe(status);
            s.ContentTypeShouldBe("application/problem+json");
        });
        var problem = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        return problem;
    }

    private static void WithToken(Scenario scenario, string? token)
    {
        if (token is not null)
        {
            scenario.WithRequestHeader("Authorization", $"Bearer {token}");
        }
    }

    private static T ReadAsJson<T>(this IScenarioResult result, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(result.ReadAsText(), options) ?? throw new InvalidOperationException("Empty body");
}
