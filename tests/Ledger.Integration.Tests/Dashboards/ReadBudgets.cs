using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Alba;
using Ledger.Host.Dashboards;
using Ledger.Host.Reading;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;
using Shouldly;
using Xunit.Abstractions;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>A host of its own with a tiny read budget: one replay at a time and one waiting, two reads and one waiting, 1.5 s per read.</summary>
public sealed class ReadBudgetHost : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1.5);

    private TestDatabase? _database;
    private IAlbaHost? _host;

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The database is not created.");

    public FakeClock Clock { get; } = new(LedgerHost.Start);

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("reads");
        _host = await LedgerHost.StartAsync(_database, Clock, seedOnStartup: true, settings: new Dictionary<string, string>
        {
            ["Ledger:Reads:MaxConcurrentReplays"] = "1",
            ["Ledger:Reads:ReplayQueue"] = "1",
            ["Ledger:Reads:MaxConcurrentReads"] = "2",
            ["Ledger:Reads:ReadQueue"] = "1",
            ["Ledger:Reads:Timeout"] = Timeout.ToString("c", CultureInfo.InvariantCulture),

            // No sampling of the positions in the background: the tests look for the reads' own statements on the server.
            ["Ledger:Projections:SampleEvery"] = "01:00:00",
        });
        await _host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        // Each endpoint's first request compiles its code, seconds on a busy machine: not while a test holds a slot.
        var auditor = _host.TokenFor(LedgerRoles.Auditor);
        await _host.GetJsonAsync<MeetingBoardResponse>($"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(LedgerHost.Start + Duration.FromDays(1))}", auditor);
        foreach (var url in new[] { "/api/dashboard/organizations/IOFS", "/api/dashboard/countries/AFG", "/api/dashboard/overdue" })
        {
            await _host.GetJsonAsync<JsonElement>(url);
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>
/// Reads over their budget are answered at once with 503 and <c>Retry-After</c>, never queued without end; a read past
/// its deadline is answered 503 and its database command is cancelled (nothing of it is left on the server); replays
/// never take the slots of read-model reads.
/// </summary>
public sealed class ReadBudgets(ReadBudgetHost fixture, ITestOutputHelper output) : IClassFixture<ReadBudgetHost>
{
    private IAlbaHost Host => fixture.Host;

    private ReadBudget Budget => Host.Services.GetRequiredService<ReadBudget>();

    private string Auditor => Host.TokenFor(LedgerRoles.Auditor);

    [Fact]
    public async Task a_replay_over_budget_is_refused_at_once_while_read_model_reads_go_on()
    {
        var replays = Host.Services.GetRequiredService<SharedReplays>();
        var scansBefore = replays.Scans;

        // Another replay holds the only replay slot; a board as of an instant waits in the one queue place.
        var running = await Budget.EnterAsync(ReadLane.Replay, CancellationToken.None);
        Task<Answer> queued;
        try
        {
            queued = GetAsync(BoardAsOf(LedgerHost.Start), Auditor);
            await UntilAsync(() => Budget.Waiting(ReadLane.Replay) == 1);

            var refused = await GetAsync(BoardAsOf(LedgerHost.Start - Duration.FromDays(1)), Auditor);
            var problem = refused.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "reads-busy");
            refused.RetryAfter.ShouldBe("1");
            refused.Elapsed.ShouldBeLessThan(ReadBudgetHost.Timeout, "refused at once, not after waiting");
            problem.GetProperty("detail").GetString()!.ShouldContain("replays");

            // Read-model reads have slots of their own.
            var portfolio = await GetAsync("/api/dashboard/organizations/IOFS");
            portfolio.Status.ShouldBe(HttpStatusCode.OK, portfolio.Body);
            portfolio.Body.ShouldContain("\"lifecycle\":\"async\"");
            queued.IsCompleted.ShouldBeFalse("the queued replay still waits for its slot");
            output.WriteLine($"replay over budget: {(int)refused.Status} in {refused.Elapsed.TotalMilliseconds:0} ms; read-model read meanwhile: {(int)portfolio.Status} in {portfolio.Elapsed.TotalMilliseconds:0} ms");
        }
        finally
        {
            running.Dispose();
        }

        var served = await queued;
        served.Status.ShouldBe(HttpStatusCode.OK, served.Body);
        served.Body.ShouldContain("\"lifecycle\":\"replay\"");
        (replays.Scans - scansBefore).ShouldBe(1, "the refused replay never scanned");
    }

    [Fact]
    public async Task a_read_model_read_over_budget_is_refused_at_once()
    {
        var first = await Budget.EnterAsync(ReadLane.Model, CancellationToken.None);
        var second = await Budget.EnterAsync(ReadLane.Model, CancellationToken.None);
        Task<Answer> queued;
        try
        {
            queued = GetAsync("/api/dashboard/countries/AFG");
            await UntilAsync(() => Budget.Waiting(ReadLane.Model) == 1);

            var refused = await GetAsync("/api/dashboard/overdue");
            refused.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "reads-busy");
            refused.RetryAfter.ShouldBe("1");
        }
        finally
        {
            first.Dispose();
            second.Dispose();
        }

        (await queued).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_read_past_its_deadline_is_answered_503_and_its_command_cancelled()
    {
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        await using var admin = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await admin.OpenAsync();
        try
        {
            Answer late;
            long left;
            await using (var locking = await admin.BeginTransactionAsync())
            {
                // The events table locked by someone else: the read's first statement on it waits behind the lock.
                await ExecuteAsync(admin, "lock table ledger.mt_events in access exclusive mode");
                late = await GetAsync("/api/dashboard/organizations/IOFS");

                // Still locked, yet nothing of the read is left on the server: its statement was cancelled, not abandoned.
                left = await LeftOnServerAsync(admin, "%mt_event_progression p%");
                await locking.RollbackAsync();
            }

            late.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "read-timeout");
            late.RetryAfter.ShouldBe("2");
            late.Elapsed.ShouldBeGreaterThanOrEqualTo(ReadBudgetHost.Timeout - TimeSpan.FromMilliseconds(50));
            late.Elapsed.ShouldBeLessThan(ReadBudgetHost.Timeout + TimeSpan.FromSeconds(10));
            left.ShouldBe(0);
            var idle = await IdleInTransactionAsync(admin);
            idle.ShouldBe(0);
            (await GetAsync("/api/dashboard/organizations/IOFS")).Status.ShouldBe(HttpStatusCode.OK, "the pool still serves");
            output.WriteLine($"read behind a lock: {(int)late.Status} after {late.Elapsed.TotalMilliseconds:0} ms (deadline {ReadBudgetHost.Timeout.TotalMilliseconds:0} ms); " +
                             $"its statements left on the server {left}, sessions idle in transaction {idle}");
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    [Fact]
    public async Task a_replay_past_its_deadline_is_cancelled_with_its_scan()
    {
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        await using var admin = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await admin.OpenAsync();
        try
        {
            // The replay waits for its slot while the events table gets locked, then starts behind the lock.
            var running = await Budget.EnterAsync(ReadLane.Replay, CancellationToken.None);
            Task<Answer> board;
            await using (var locking = await admin.BeginTransactionAsync())
            {
                try
                {
                    board = GetAsync(BoardAsOf(LedgerHost.Start + Duration.FromMinutes(1)), Auditor);
                    await UntilAsync(() => Budget.Waiting(ReadLane.Replay) == 1);
                    await ExecuteAsync(admin, "lock table ledger.mt_events in access exclusive mode");
                }
                finally
                {
                    running.Dispose();
                }

                var late = await board;
                var left = await LeftOnServerAsync(admin, "%count(*)%mt_events%");
                await locking.RollbackAsync();
                late.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "read-timeout");
                left.ShouldBe(0, "the replay's statement was cancelled on the server");
            }

            (await IdleInTransactionAsync(admin)).ShouldBe(0);
            (await GetAsync(BoardAsOf(LedgerHost.Start + Duration.FromMinutes(1)), Auditor)).Status.ShouldBe(HttpStatusCode.OK, "a later caller replays afresh");
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    private static string BoardAsOf(Instant instant) => $"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(instant)}";

    private async Task<Answer> GetAsync(string url, string? token = null)
    {
        using var client = Host.Server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return new Answer(
            response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            body, watch.Elapsed);
    }

    /// <summary>Waits (at most 30 s, for a loaded machine) until <paramref name="condition"/> holds.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the read never reached the queue");
            await Task.Delay(10);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The other sessions on this database still running a statement like <paramref name="pattern"/>, once the server has had up
    /// to 5 s to act on a cancel request (a statement abandoned behind a held lock would stay for good).
    /// </summary>
    private static Task<long> LeftOnServerAsync(NpgsqlConnection admin, string pattern) => SettledCountAsync(admin,
        "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like @pattern",
        pattern);

    /// <summary>The other sessions on this database idle in a transaction, given up to 5 s to end one that was just finishing.</summary>
    private static Task<long> IdleInTransactionAsync(NpgsqlConnection admin) => SettledCountAsync(admin,
        "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'",
        null);

    /// <summary>
    /// Polls <paramref name="sql"/> until it counts nothing or 5 s have passed. The callers poll inside a transaction
    /// that holds a lock, and a server process keeps the view of <c>pg_stat_activity</c> it first read in a transaction
    /// until the transaction ends: each poll first drops that view (<c>pg_stat_clear_snapshot()</c>), or every poll
    /// would count the statement the first one saw still running.
    /// </summary>
    private static async Task<long> SettledCountAsync(NpgsqlConnection admin, string sql, string? pattern)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await ExecuteAsync(admin, "select pg_stat_clear_snapshot()");
            await using var command = new NpgsqlCommand(sql, admin);
            if (pattern is not null)
            {
                command.Parameters.AddWithValue("pattern", pattern);
            }

            var count = (long)(await command.ExecuteScalarAsync())!;
            if (count == 0 || watch.Elapsed > TimeSpan.FromSeconds(5))
            {
                return count;
            }

            await Task.Delay(50);
        }
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body, TimeSpan Elapsed)
    {
        public JsonElement ShouldBeProblem(HttpStatusCode status, string type)
        {
            Status.ShouldBe(status, Body);
            ContentType.ShouldBe("application/problem+json");
            var problem = JsonDocument.Parse(Body).RootElement;
            problem.GetProperty("type").GetString().ShouldBe($"https://unoic-ledger.example/problems/{type}");
            problem.GetProperty("status").GetInt32().ShouldBe((int)status);
            return problem;
        }
    }
}
