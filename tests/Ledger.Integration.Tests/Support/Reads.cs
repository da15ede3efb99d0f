using System.Diagnostics;
using System.Net.Http.Headers;
using Alba;

namespace Ledger.Integration.Tests.Support;

/// <summary>Reads as a client sends them, with an optional token; the answer as status, headers and body (4xx included).</summary>
public static class Reads
{
    /// <summary>GETs a URL with a bearer token; the status and body as they come back.</summary>
    public static async Task<WriteResponse> GetAsync(this IAlbaHost host, string url, string? token)
    {
        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new WriteResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }

    /// <summary>Sends the GET again (every 200 ms, at most <paramref name="timeout"/>) until it answers <paramref name="status"/>; the time it took.</summary>
    public static async Task<TimeSpan> EventuallyAsync(this IAlbaHost host, string url, string token, int status, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        WriteResponse? last = null;
        while (watch.Elapsed < timeout)
        {
            last = await host.GetAsync(url, token);
            if (last.Status == status)
            {
                return watch.Elapsed;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"GET {url} still answers {last?.Status} ({last?.Body}), not {status}, after {timeout.TotalSeconds:0} s");
    }
}
