using System.Text.Json;
using Alba;
using Ledger.Host.Hosting;
using Shouldly;

namespace Ledger.Integration.Tests.Support;

public static class ScenarioExtensions
{
    /// <summary>GETs a URL, expects 200 and reads the JSON body as the API writes it.</summary>
    public static async Task<T> GetJsonAsync<T>(this IAlbaHost host, string url)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBeOk();
        });
        return result.ReadAsJson<T>(ApiJson.Options);
    }

    /// <summary>GETs a URL and expects an RFC 9457 problem with the given status.</summary>
    public static async Task<JsonElement> GetProblemAsync(this IAlbaHost host, string url, int status)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
            s.ContentTypeShouldBe("application/problem+json");
        });
        var problem = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(status);
        problem.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        return problem;
    }

    private static T ReadAsJson<T>(this IScenarioResult result, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(result.ReadAsText(), options) ?? throw new InvalidOperationException("Empty body");
}
