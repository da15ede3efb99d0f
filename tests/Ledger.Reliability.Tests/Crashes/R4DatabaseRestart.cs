using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ledger.Reliability.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Crashes;

/// <summary>
/// R4: the database crashes and comes back. On the durable cluster (fsync and synchronous_commit on,
/// asserted first), PostgreSQL is stopped with <c>pg_ctl stop -m immediate</c> — no checkpoint, recovery
/// from the WAL at the next start — while clients write and read, kept down a few seconds, then started.
/// While it is down every answer that is not a success is a 5xx problem detail (503 with Retry-After when the
/// database is unreachable), none hangs; <c>/health</c> is healthy again within 30 s of its return, every
/// async projection has caught up within 60 s, and the set test finds every acknowledged write.
/// </summary>
public sealed class R4DatabaseRestart(ITestOutputHelper output)
{
    private const int Writers = 3;
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_database_crash_under_load_answers_problem_details_and_loses_no_acknowledged_write()
    {
        DurableCluster.CanRestart.ShouldBeTrue("R4 restarts the fault suite's own durable cluster: run it through ./test.sh");
        await using var database = await TestDatabase.CreateAsync("r4");
        await DurableCluster.AssertDurableAsync(database.AdminConnectionString);
        await using var host = await LedgerProcess.StartAsync("r4", FaultHosts.Settings(database));
        using var client = host.CreateClient(TimeSpan.FromSeconds(30));
        var codes = await LedgerApi.ReviewableCodesAsync(client);

        var reads = new ConcurrentQueue<Answer>();
        using var stopReading = new CancellationTokenSource();
        var readers = new[] { $"/api/commitments/{codes[^1]}", "/api/dashboard/meetings/AST-2024", "/api/projections", "/api/commitments?meeting=GVA-2022" }
            .Select(path => Task.Run(() => ReadAsync(client, path, reads, stopReading.Token)))
            .ToArray();
        var writes = WriteLoad.Start("R4", [client], [.. codes.Take(Writers)]);
        await writes.WaitForAcknowledgedAsync(Writers * 20, TimeSpan.FromSeconds(20));

        var downAt = Stopwatch.StartNew();
        await DurableCluster.StopImmediatelyAsync();
        await Task.Delay(Down);
        await DurableCluster.StartAsync();
        var downFor = downAt.Elapsed;

        var back = Stopwatch.StartNew();
        var healthy = await WaitUntilHealthyAsync(client, TimeSpan.FromSeconds(30));
        var healthyAfter = back.Elapsed;
        await writes.WaitForAcknowledgedAsync(Writers * 20, TimeSpan.FromSeconds(20));
        await writes.StopAsync();
        await stopReading.CancelAsync();
        await Task.WhenAll(readers);
        var caughtUpAfter = back.Elapsed + await LedgerApi.WaitUntilCaughtUpAsync(client, TimeSpan.FromSeconds(60) - back.Elapsed);

        var check = await writes.CheckAsync(database);
        var writeAnswers = writes.Attempts.Where(a => a.Status != 0).ToList();
        var failedReads = reads.Where(r => !r.IsSuccess).ToList();
        var fiveHundreds = failedReads.Count(r => (int)r.Status >= 500) + writeAnswers.Count(a => a.Status >= 500);
        var unavailable = failedReads.Count(r => r.Status == HttpStatusCode.ServiceUnavailable) + writeAnswers.Count(a => a.Status == 503);
        var slowest = reads.Select(r => r.Took).Concat(writes.Attempts.Select(a => a.Took)).Max();
        var outliers = failedReads.Where(r => (int)r.Status < 500 || !r.IsProblem).Select(r => $"{(int)r.Status} {r.ContentType} {r.Body}")
            .Concat(writeAnswers.Where(a => a.Outcome != Outcome.Acknowledged && (a.Status < 500 || !a.ProblemBody)).Select(a => $"write {a.Status}"))
            .ToList();
        Figures.Report(output, "R4", $"pg_ctl stop -m immediate for {downFor.TotalSeconds:F1} s under {Writers} writers and {readers.Length} readers on the durable cluster: " +
            $"{reads.Count + writeAnswers.Count} answers, {fiveHundreds} × 5xx ({unavailable} × 503), all problem details, slowest {slowest.TotalSeconds:F1} s; " +
            $"/health healthy {healthyAfter.TotalSeconds:F1} s after the restart, every projection caught up after {caughtUpAfter.TotalSeconds:F1} s; {check}");

        outliers.ShouldBeEmpty("while the database is away every failure is a 5xx problem detail");
        fiveHundreds.ShouldBeGreaterThan(0, "the clients did meet the outage");
        slowest.ShouldBeLessThan(RequestBound, "no request hangs while the database is away");
        healthy.ShouldBeTrue("/health is healthy within 30 s of the database's return");
        caughtUpAfter.ShouldBeLessThan(TimeSpan.FromSeconds(60));
        check.Holds.ShouldBeTrue(check.ToString());
        check.Acknowledged.ShouldBeGreaterThan(Writers * 40);
    }

    private static async Task ReadAsync(HttpClient client, string path, ConcurrentQueue<Answer> answers, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                answers.Enqueue(await LedgerApi.GetAsync(client, path, ct: CancellationToken.None));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The host itself stays up: a broken or timed-out read is a failure of the promise.
                answers.Enqueue(new Answer(0, null, e.Message, watch.Elapsed));
            }

            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private static async Task<bool> WaitUntilHealthyAsync(HttpClient client, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if ((await LedgerApi.GetAsync(client, "/health")).Status == HttpStatusCode.OK)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}
