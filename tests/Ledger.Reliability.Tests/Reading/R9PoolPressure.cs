using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Host.Security;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Reading;

/// <summary>
/// R9: reads cannot drain the connection pool the writers need. A host process whose pool is 100 connections
/// (<c>Maximum Pool Size=100</c>) gets 600 requests at once over loopback: boards as of an instant as an auditor
/// (each a replay of the events, most at instants of their own), every dashboard on a business day with no token at
/// all (each a replay too, at business instants of their own), dashboard reads while the dashboards lag (the
/// daemon cannot commit its progress: another session holds a lock on the progression table, so every
/// dashboard is computed from the events), and review decisions. No request fails for want of a connection,
/// every write is answered 2xx or 409, a read over its budget is answered 503 with Retry-After at once rather
/// than queued without end, every request is answered within a bounded time, and afterwards no session of the
/// database is left idle in a transaction.
/// </summary>
public sealed class R9PoolPressure(ITestOutputHelper output)
{
    private const int PoolSize = 100;
    private const int AsOfReads = 200;
    private const int EffectiveReads = 100;
    private const int LaggingReads = 150;
    private const int Writes = 150;

    /// <summary>The batches of review decisions recorded first, so that a replay has some 1,600 events to scan, not 52.</summary>
    private const int Batches = 40;

    private static readonly string[] PoolErrors =
    [
        "connection pool has been exhausted", "too many clients already", "remaining connection slots are reserved",
    ];

    private static readonly string[] LaggingUrls =
    [
        "/api/dashboard/meetings/GVA-2022", "/api/dashboard/meetings/AST-2024", "/api/dashboard/organizations/IOFS",
        "/api/dashboard/organizations/FAO", "/api/dashboard/countries/AFG", "/api/dashboard/meetings/AST-2024/unreviewed",
        "/api/dashboard/overdue",
    ];

    /// <summary>Every dashboard that takes a business day, for a reader with no token.</summary>
    private static readonly string[] EffectiveUrls =
    [
        "/api/dashboard/meetings/AST-2024", "/api/dashboard/meetings/GVA-2022/unreviewed", "/api/dashboard/organizations/IOFS",
        "/api/dashboard/countries/AFG", "/api/dashboard/overdue",
    ];

    [Fact]
    public async Task Six_hundred_requests_at_once_on_a_pool_of_100_leave_writers_served_and_nothing_exhausted()
    {
        await using var database = await TestDatabase.CreateAsync("r9");
        var connectionString = $"{database.ConnectionString};Maximum Pool Size={PoolSize}";
        await using var host = await LedgerProcess.StartAsync("r9", FaultHosts.Settings(database, new Dictionary<string, string>
        {
            ["ConnectionStrings:Ledger"] = connectionString,

            // Any lag at all sends a dashboard to the replay; the log counts the scans.
            ["Ledger:Projections:ReplayWhenLagAbove"] = "0",
            ["Logging:LogLevel:Ledger.Host.Dashboards.SharedReplays"] = "Debug",
        }));
        using var client = host.CreateClient(TimeSpan.FromSeconds(90));
        var secretariat = FaultHosts.Bearer(FaultHosts.Token(LedgerRoles.Secretariat));
        var auditor = FaultHosts.Bearer(FaultHosts.Token(LedgerRoles.Auditor));

        var codes = await CommitmentCodesAsync(client);
        var historyFrom = DateTimeOffset.UtcNow;
        for (var batch = 0; batch < Batches; batch++)
        {
            var reviews = codes.Select(code => new { commitment = code, rating = "on-track", decision = "continue", remarks = $"R9 batch {batch}." });
            var recorded = await SendAsync(client, HttpMethod.Post, "/api/meetings/AST-2024/reviews", secretariat, JsonSerializer.Serialize(new { reviews }));
            recorded.Status.ShouldBe(HttpStatusCode.OK, recorded.Body);
        }

        var historyTo = DateTimeOffset.UtcNow;
        var instants = Enumerable.Range(0, AsOfReads)
            .Select(i => historyFrom + ((historyTo - historyFrom) * (i % 160) / 160))
            .Select(t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
            .ToList();

        await using var admin = new NpgsqlConnection(database.AdminConnectionString);
        await admin.OpenAsync();
        await using var watcher = new NpgsqlConnection(database.AdminConnectionString);
        await watcher.OpenAsync();
        var excluded = new[] { await PidAsync(admin), await PidAsync(watcher) };

        List<Answer> answers;
        int peakSessions;
        await using (var lagging = await admin.BeginTransactionAsync())
        {
            // The daemon cannot commit its progress from here on: one more event, and every dashboard lags.
            await using (var lockProgression = new NpgsqlCommand("lock table ledger.mt_event_progression in exclusive mode", admin))
            {
                await lockProgression.ExecuteNonQueryAsync();
            }

            (await ReviewAsync(client, secretariat, codes[0], "R9 before the storm.")).Status.ShouldBe(HttpStatusCode.OK);
            await UntilReplayedAsync(client);

            var requests = new List<Func<Task<Answer>>>();
            requests.AddRange(instants.Select((instant, i) => (Func<Task<Answer>>)(() => SendAsync(
                client, HttpMethod.Get, $"/api/dashboard/meetings/{(i % 2 == 0 ? "GVA-2022" : "AST-2024")}?asOf={Uri.EscapeDataString(instant)}", auditor, kind: "as-of"))));
            requests.AddRange(Enumerable.Range(0, EffectiveReads).Select(i => (Func<Task<Answer>>)(() => SendAsync(
                client, HttpMethod.Get, $"{EffectiveUrls[i % EffectiveUrls.Length]}?effectiveOn=2024-07-22T{i / 60:00}:{i % 60:00}", null, kind: "effective-on"))));
            requests.AddRange(Enumerable.Range(0, LaggingReads).Select(i => (Func<Task<Answer>>)(() => SendAsync(
                client, HttpMethod.Get, LaggingUrls[i % LaggingUrls.Length], null, kind: "lagging"))));
            requests.AddRange(Enumerable.Range(0, Writes).Select(i => (Func<Task<Answer>>)(() => ReviewAsync(
                client, secretariat, codes[i % codes.Count], $"R9 storm {i}."))));

            // Interleaved, then released together.
            var shuffled = requests.OrderBy(_ => Random.Shared.Next()).ToList();
            using var watching = new CancellationTokenSource();
            var peak = WatchSessionsAsync(watcher, excluded, watching.Token);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var storm = shuffled.Select(send => Task.Run(async () =>
            {
                await gate.Task;
                return await send();
            })).ToList();
            gate.SetResult();
            answers = [.. await Task.WhenAll(storm)];
            await watching.CancelAsync();
            peakSessions = await peak;
            await lagging.RollbackAsync();
        }

        var idleInTransaction = await SettledIdleInTransactionAsync(watcher, excluded);
        var log = host.ReadLog();
        var poolErrors = PoolErrors.Sum(e => Occurrences(log, e)) + answers.Count(a => PoolErrors.Any(e => a.Body.Contains(e, StringComparison.OrdinalIgnoreCase)));
        var scans = Occurrences(log, "Replayed ReplayScope");

        var writes = answers.Where(a => a.Kind == "write").ToList();
        var reads = answers.Where(a => a.Kind != "write").ToList();
        var overBudget = reads.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var refusals = string.Join(", ", overBudget.GroupBy(ProblemType).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        Figures.Report(output, "R9", string.Create(CultureInfo.InvariantCulture,
            $"{answers.Count} requests at once on a pool of {PoolSize}: {Describe(answers, "as-of", "as-of boards (auditor)")}; " +
            $"{Describe(answers, "effective-on", "dashboards on a business day (no token)")}; " +
            $"{Describe(answers, "lagging", "lagging reads")}; {Describe(answers, "write", "writes")}; reads over budget: {refusals}; " +
            $"{scans} replay scans; max latency {answers.Max(a => a.Elapsed).TotalSeconds:0.00} s (reads {reads.Max(a => a.Elapsed).TotalSeconds:0.00} s, " +
            $"writes {writes.Max(a => a.Elapsed).TotalSeconds:0.00} s); peak sessions {peakSessions}; " +
            $"sessions idle in transaction {idleInTransaction}; pool errors {poolErrors}"));

        answers.Count.ShouldBe(AsOfReads + EffectiveReads + LaggingReads + Writes);
        poolErrors.ShouldBe(0, "no request may fail for want of a connection");
        writes.ShouldAllBe(a => a.Status == HttpStatusCode.OK || a.Status == HttpStatusCode.Conflict, Statuses(writes));
        writes.ShouldContain(a => a.Status == HttpStatusCode.OK);
        reads.ShouldAllBe(a => a.Status == HttpStatusCode.OK || a.Status == HttpStatusCode.ServiceUnavailable || a.Status == HttpStatusCode.TooManyRequests, Statuses(reads));
        reads.Where(a => a.Status == HttpStatusCode.OK).ShouldAllBe(a => a.Body.Contains("\"lifecycle\":\"replay\"", StringComparison.Ordinal), "every dashboard was computed from the events");
        overBudget.ShouldNotBeEmpty("600 requests at once go over the read budget");
        overBudget.ShouldAllBe(a => a.ContentType == "application/problem+json" && a.RetryAfter != null
                                    && (ProblemType(a) == "reads-busy" || ProblemType(a) == "read-timeout"));
        reads.Max(a => a.Elapsed).ShouldBeLessThan(TimeSpan.FromSeconds(30), "a read is answered within its deadline (10 s) and some slack, never queued without end");
        writes.Max(a => a.Elapsed).ShouldBeLessThan(TimeSpan.FromSeconds(30));
        idleInTransaction.ShouldBe(0);
        peakSessions.ShouldBeLessThanOrEqualTo(PoolSize + 10, "the sessions are bounded by the host's pool, not by the 600 requests");
    }

    private static async Task<List<string>> CommitmentCodesAsync(HttpClient client)
    {
        var page = await SendAsync(client, HttpMethod.Get, "/api/commitments?pageSize=100", null);
        page.Status.ShouldBe(HttpStatusCode.OK, page.Body);
        return [.. JsonDocument.Parse(page.Body).RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    private static Task<Answer> ReviewAsync(HttpClient client, System.Net.Http.Headers.AuthenticationHeaderValue token, string code, string remarks) =>
        SendAsync(client, HttpMethod.Post, $"/api/commitments/{code}/reviews", token,
            JsonSerializer.Serialize(new { meeting = "AST-2024", rating = "on-track", decision = "continue", remarks }), "write");

    /// <summary>Waits (at most 30 s) until a dashboard answers from a replay: the lag is seen.</summary>
    private static async Task UntilReplayedAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var board = await SendAsync(client, HttpMethod.Get, "/api/dashboard/meetings/GVA-2022", null);
            if (board.Body.Contains("\"lifecycle\":\"replay\"", StringComparison.Ordinal))
            {
                return;
            }

            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), $"the dashboards never lagged: {board.Body}");
            await Task.Delay(200);
        }
    }

    private static async Task<Answer> SendAsync(
        HttpClient client, HttpMethod method, string url, System.Net.Http.Headers.AuthenticationHeaderValue? token, string? body = null, string kind = "")
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        request.Headers.Authorization = token;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(kind, response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter?.ToString(), text, watch.Elapsed);
    }

    private static async Task<int> PidAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("select pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The most sessions the database had at once while the requests ran, sampled every 50 ms.</summary>
    private static async Task<int> WatchSessionsAsync(NpgsqlConnection watcher, int[] excluded, CancellationToken ct)
    {
        var peak = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var command = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> all(@excluded)", watcher);
            command.Parameters.AddWithValue("excluded", excluded);
            peak = Math.Max(peak, (int)(long)(await command.ExecuteScalarAsync(CancellationToken.None))!);
            try
            {
                await Task.Delay(50, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return peak;
    }

    /// <summary>Sessions idle in a transaction, given up to 20 s for those that were merely between two statements (a leaked one stays).</summary>
    private static async Task<long> SettledIdleInTransactionAsync(NpgsqlConnection watcher, int[] excluded)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> all(@excluded) and state like 'idle in transaction%'", watcher);
            command.Parameters.AddWithValue("excluded", excluded);
            var idle = (long)(await command.ExecuteScalarAsync())!;
            if (idle == 0 || watch.Elapsed > TimeSpan.FromSeconds(20))
            {
                return idle;
            }

            await Task.Delay(100);
        }
    }

    private static int Occurrences(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }

    private static string Describe(IEnumerable<Answer> answers, string kind, string label)
    {
        var mine = answers.Where(a => a.Kind == kind).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{mine.Count} {label} -> {string.Join(", ", mine.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"))}");
    }

    /// <summary>The last segment of a problem answer's type (<c>reads-busy</c>), or its status when it is none.</summary>
    private static string ProblemType(Answer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body).RootElement.TryGetProperty("type", out var type) && type.GetString() is { } uri
                ? uri[(uri.LastIndexOf('/') + 1)..]
                : ((int)answer.Status).ToString(CultureInfo.InvariantCulture);
        }
        catch (JsonException)
        {
            return ((int)answer.Status).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Statuses(IEnumerable<Answer> answers) =>
        string.Join("; ", answers.GroupBy(a => (int)a.Status).Select(g => $"{g.Key}: {g.First().Body[..Math.Min(300, g.First().Body.Length)]}"));

    private sealed record Answer(string Kind, HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body, TimeSpan Elapsed);
}
