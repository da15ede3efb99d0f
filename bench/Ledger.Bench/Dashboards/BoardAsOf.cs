using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ledger.Projections;
using NodaTime;
using NodaTime.Text;
using Npgsql;

namespace Ledger.Bench.Dashboards;

/// <summary>
/// The whole board of a meeting as of an instant, as a dashboard asks for it:
/// <c>GET /api/dashboard/meetings/GVA-2022?asOf=…</c>, as of the instant of the ledger's last event.
/// The host replays every event recorded up to that instant (one ordered scan of the events table,
/// deserializing the meeting's events and folding them through the projections' code). Boards as of an instant
/// are for auditors, so it sends an auditor's token; and since the host keeps a finished replay for callers at the
/// same ledger state, each run asks for an instant one microsecond later than the one before (still after the last
/// event, so the same board), so that every run is a replay of its own rather than the kept answer.
/// </summary>
internal sealed class BoardAsOf : IDisposable
{
    public const string Meeting = "GVA-2022";

    private readonly HttpClient _client;
    private readonly Instant _lastEvent;
    private int _runs;

    private BoardAsOf(HttpClient client, Instant lastEvent)
    {
        _client = client;
        _lastEvent = lastEvent;
    }

    public static async Task<BoardAsOf> ForLastEventAsync(Uri host, string auditorToken, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select to_char(max(timestamp) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from {LedgerStore.Schema}.mt_events", connection);
        var instant = InstantPattern.ExtendedIso.Parse((string)(await command.ExecuteScalarAsync(ct))!).Value;
        var client = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auditorToken);
        return new BoardAsOf(client, instant);
    }

    /// <summary>One board, timed from request to the last byte of the answer.</summary>
    public async Task<TimeSpan> RunAsync(CancellationToken ct)
    {
        var instant = InstantPattern.ExtendedIso.Format(_lastEvent + Duration.FromNanoseconds(1000L * ++_runs));
        var url = new Uri($"/api/dashboard/meetings/{Meeting}?asOf={Uri.EscapeDataString(instant)}", UriKind.Relative);
        var watch = Stopwatch.StartNew();
        using var response = await _client.GetAsync(url, ct);
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
