using System.Net;
using System.Net.Http.Headers;
using Ledger.Host.Dashboards;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Text;
using Shouldly;
using Xunit.Abstractions;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>
/// One replay per scope and ledger state serves every caller that needs it: concurrent identical reads while the
/// dashboards cannot answer cost one scan of the events, counted by the host's own <see cref="SharedReplays.Scans"/>.
/// </summary>
public sealed class SharedReplayReads(LedgerFixture fixture, ITestOutputHelper output) : DashboardTest(fixture)
{
    private const int Callers = 24;

    [Fact]
    public async Task concurrent_identical_lagging_reads_cost_one_scan_and_a_new_event_one_more()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var replays = Host.Services.GetRequiredService<SharedReplays>();
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await TearDownDashboardsAsync();
            var before = replays.Scans;

            var boards = await ManyAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
            var scansForBoards = replays.Scans - before;

            boards.ShouldAllBe(b => b.Freshness.Lifecycle == "replay" && b.Total == 31);
            boards.Select(b => Json(b)).Distinct().Count().ShouldBe(1, "every caller got the same replay");
            scansForBoards.ShouldBe(1);

            // Other dashboards at the same ledger state are answered from that replay too, one after the other.
            var portfolio = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS");
            var coverage = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG");
            portfolio.Freshness.Lifecycle.ShouldBe("replay");
            coverage.Total.ShouldBe(2);
            (replays.Scans - before).ShouldBe(1);

            // A new event: the kept replay no longer fits anyone's snapshot.
            await ReviewAsync("GVA-2022-1.1", "AST-2024");
            var after = await ManyAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022");
            after.ShouldAllBe(b => b.Unreviewed == 30 && b.Freshness.Position == boards[0].Freshness.Position + 1);
            var scansAfterEvent = replays.Scans - before;
            scansAfterEvent.ShouldBe(2);

            output.WriteLine($"{Callers} concurrent lagging reads of one board: {scansForBoards} scan; two more dashboards at the same state: 0 more; " +
                             $"{Callers} more after one new event: {scansAfterEvent - scansForBoards} more scan");
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    [Fact]
    public async Task concurrent_identical_boards_as_of_an_instant_cost_one_scan()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var replays = Host.Services.GetRequiredService<SharedReplays>();
        var url = $"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(Now)}";
        var before = replays.Scans;

        var boards = await ManyAsync<MeetingBoardResponse>(url, AuditorToken);
        var another = await ManyAsync<MeetingBoardResponse>(url.Replace("GVA-2022", "AST-2024", StringComparison.Ordinal), AuditorToken);

        boards.Select(b => Json(b)).Distinct().Count().ShouldBe(1);
        boards[0].AsOf.ShouldBe(Now);
        another.ShouldAllBe(b => b.Total == 9);
        (replays.Scans - before).ShouldBe(2, "one scan for each meeting's board");
    }

    [Fact]
    public async Task concurrent_identical_dashboards_on_a_business_day_cost_one_scan_and_need_no_token()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var replays = Host.Services.GetRequiredService<SharedReplays>();
        var before = replays.Scans;

        var boards = await ManyAsync<MeetingBoardResponse>("/api/dashboard/meetings/AST-2024?effectiveOn=2024-07-22T09:00");
        var queues = await ManyAsync<CommitmentListResponse>("/api/dashboard/meetings/AST-2024/unreviewed?effectiveOn=2024-07-22T09:00");
        var boardScans = replays.Scans - before;
        var portfolios = await ManyAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/IOFS?effectiveOn=2024-07-22");
        var coverages = await ManyAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG?effectiveOn=2024-07-22");

        boards.Select(b => Json(b)).Distinct().Count().ShouldBe(1, "every caller got the same replay");
        boards[0].Total.ShouldBe(9);
        queues.ShouldAllBe(q => q.Total == 9);
        portfolios.ShouldAllBe(p => p.Leads.Total == 8);
        coverages.ShouldAllBe(c => c.Total == 2);
        boardScans.ShouldBe(1, "the board and the queue of one meeting on one business instant share a scan");
        (replays.Scans - before).ShouldBe(2, "the portfolio and the coverage on one business day share the scan of every stream");
        output.WriteLine($"{Callers} concurrent board and queue reads on a business instant: {boardScans} scan; portfolio and coverage: 1 more");
    }

    [Fact]
    public async Task a_board_as_of_an_instant_is_for_auditors_only()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        var url = $"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(Now)}";

        var anonymous = await Host.GetProblemAsync(url, 401);
        anonymous.GetProperty("detail").GetString()!.ShouldContain("auditor");
        foreach (var role in new[] { LedgerRoles.Viewer, LedgerRoles.Secretariat, LedgerRoles.FocalPoint })
        {
            await Host.GetProblemAsync(url, 403, Host.TokenFor(role, role == LedgerRoles.FocalPoint ? "FAO" : null));
        }

        // The refusal comes before anything is read: a bad instant from a viewer is still a 403.
        await Host.GetProblemAsync("/api/dashboard/meetings/GVA-2022?asOf=yesterday", 403, Host.TokenFor(LedgerRoles.Viewer));
        (await GetAsAuditorAsync<MeetingBoardResponse>(url)).Total.ShouldBe(31);

        // The live board stays public.
        (await GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022")).AsOf.ShouldBeNull();
    }

    /// <summary><see cref="Callers"/> GETs of one URL at once, each expected to answer 200.</summary>
    private async Task<T[]> ManyAsync<T>(string url, string? token = null)
    {
        using var client = Host.Server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            return System.Text.Json.JsonSerializer.Deserialize<T>(body, ApiJson.Options)!;
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(calls);
    }
}
