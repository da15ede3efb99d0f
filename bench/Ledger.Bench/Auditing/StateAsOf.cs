using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ledger.Bench.Harness;
using Ledger.Bench.Ledgers;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Bench.Auditing;

/// <summary>
/// A commitment's state as of an instant, as an auditor asks for it:
/// <c>GET /api/commitments/{code}?asOf=…</c> with an auditor's token, one request at a time, on
/// commitments of <see cref="BenchOptions.EventsPerStream"/> events, as of the instant their 500th event
/// was recorded, after a warm-up of as many requests and at least <see cref="BenchOptions.StateWarmup"/>. The same commitments are
/// asked for at every ledger size.
/// </summary>
internal static class StateAsOf
{
    /// <summary>How many of the first streams the requests go round (fewer when the smaller ledger has fewer).</summary>
    public const int Streams = 8;

    public static async Task<LoadResult> RunAsync(
        Uri host, string auditorToken, string connectionString, int streams, int requests, TimeSpan warmup, CpuMeter meter, CancellationToken ct)
    {
        var urls = new List<Uri>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            for (var stream = 0; stream < Math.Min(Streams, streams); stream++)
            {
                var code = SyntheticLedger.Code(stream);
                await using var command = new NpgsqlCommand(
                    $"select to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from {LedgerStore.Schema}.mt_events where stream_id = @code and version = @version",
                    connection);
                command.Parameters.AddWithValue("code", code);
                command.Parameters.AddWithValue("version", (long)BenchOptions.EventsPerStream / 2);
                var instant = (string?)await command.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"{code} has no event {BenchOptions.EventsPerStream / 2}");
                urls.Add(new Uri($"/api/commitments/{code}?asOf={Uri.EscapeDataString(instant)}", UriKind.Relative));
            }
        }

        using var client = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromMinutes(1) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auditorToken);
        var turn = 0;
        async Task<string?> Ask(int worker, CancellationToken token)
        {
            using var response = await client.GetAsync(urls[turn++ % urls.Count], token);
            var body = await response.Content.ReadAsStringAsync(token);
            return response.StatusCode == HttpStatusCode.OK && body.Contains("\"version\":500", StringComparison.Ordinal)
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }

        // A freshly started host answers its first few thousand requests with code the JIT is still optimising (tiered
        // compilation, on a background thread whose CPU the meter would count): warm up for as many requests again and
        // at least `warmup`, so the measure is of the host as it serves, not as it starts.
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < requests || (warming.Elapsed < warmup && i < requests * 20); i++)
        {
            if (await Ask(0, ct) is { } refusal)
            {
                throw new InvalidOperationException($"a state as of an instant was not answered as expected: {refusal}");
            }
        }

        return await LoadTest.RunCountAsync(requests, meter, Ask, ct);
    }
}
