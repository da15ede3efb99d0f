using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Bench.Dashboards;

/// <summary>
/// The whole board of a meeting as of an instant, as a dashboard asks for it:
/// <c>GET /api/dashboard/meetings/GVA-2022?asOf=…</c>, as of the instant of the ledger's last event.
/// The host replays every event recorded up to that instant (one ordered scan of the events table,
/// deserializing the meeting's events and folding them through the projections' code).
/// </summary>
internal sealed class BoardAsOf : IDisposable
{
    public const string Meeting = "GVA-2022";

    private readonly HttpClient _client;
    private readonly Uri _url;

    private BoardAsOf(HttpClient client, Uri url)
    {
        _client = client;
        _url = url;
    }

    public static async Task<BoardAsOf> ForLastEventAsync(Uri host, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select to_char(max(timestamp) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from {LedgerStore.Schema}.mt_events", connection);
        var instant = (string)(await command.ExecuteScalarAsync(ct))!;
        var client = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromMinutes(30) };
        return new BoardAsOf(client, new Uri($"/api/dashboard/meetings/{Meeting}?asOf={Uri.EscapeDataString(instant)}", UriKind.Relative));
    }

    /// <summary>One board, timed from request to the last byte of the answer.</summary>
    public async Task<TimeSpan> RunAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        using var response = await _client.GetAsync(_url, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var elapsed = watch.Elapsed;
        if (response.StatusCode != HttpStatusCode.OK || !body.Contains("\"lifecycle\":\"replay\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"the board as of an instant was not answered as expected: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}"));
        }

        return elapsed;
    }

    public void Dispose() => _client.Dispose();
}
