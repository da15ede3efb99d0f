using System.Diagnostics;
using Ledger.Reliability.Tests.Support;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Crashes;

/// <summary>
/// R3: no acknowledged write is lost when the host crashes. Four clients write distinct, identifiable
/// review decisions over loopback while the host process is killed with SIGKILL at a random moment, 20
/// times, and started again on the same port each time. Jepsen's set test then compares what the clients
/// were told with what the ledger holds: every acknowledged write is there exactly once, an unacknowledged
/// one is there once or not at all, and the ledger's own verification finds every hash chain intact.
/// </summary>
public sealed class R3HostCrash(ITestOutputHelper output)
{
    private const int Cycles = 20;
    private const int Clients = 4;

    [Fact]
    public async Task Twenty_kill_9s_under_write_load_lose_no_acknowledged_write()
    {
        await using var database = await TestDatabase.CreateAsync("r3");
        var settings = FaultHosts.Settings(database);
        var port = LoopbackPort.Free();
        var host = await LedgerProcess.StartAsync("r3", settings, port);
        try
        {
            using var client = host.CreateClient(TimeSpan.FromSeconds(10));
            var codes = (await LedgerApi.ReviewableCodesAsync(client)).Take(Clients).ToList();
            var random = new Random(20240722);
            var watch = Stopwatch.StartNew();
            var killedAfter = new List<int>();
            await using var load = WriteLoad.Start("R3", [client], codes);
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                // Mid-load: writes are flowing, then a random moment later the process dies.
                await load.WaitForAcknowledgedAsync(Clients * 5, TimeSpan.FromSeconds(20));
                var acknowledged = load.Acknowledged;
                await Task.Delay(random.Next(0, 1000));
                host.Kill();
                killedAfter.Add(load.Acknowledged - acknowledged);
                await host.DisposeAsync();
                host = await LedgerProcess.StartAsync($"r3-{cycle}", settings, port);
            }

            await load.WaitForAcknowledgedAsync(Clients * 5, TimeSpan.FromSeconds(20));
            await load.StopAsync();
            var elapsed = watch.Elapsed;

            var check = await load.CheckAsync(database);
            var verification = await LedgerApi.VerifyLedgerAsync(client);
            var intact = verification.GetProperty("intact").GetBoolean();
            var refused = load.Attempts.Count(a => a.Outcome == Outcome.Refused);
            Figures.Report(output, "R3", $"{Cycles} × kill -9 of the host under write load from {Clients} clients over loopback ({elapsed.TotalSeconds:F0} s): " +
                $"{check}; {refused} refused while it was down, none present; " +
                $"verification of {verification.GetProperty("eventsChecked").GetInt64()} events: {(intact ? "every hash chain intact" : "FINDINGS")}");

            check.Lost.ShouldBe(0, check.ToString());
            check.Duplicated.ShouldBe(0, check.ToString());
            check.RefusedPresent.ShouldBe(0, check.ToString());
            check.Foreign.ShouldBe(0, check.ToString());
            check.AcknowledgedPresentOnce.ShouldBe(check.Acknowledged, check.ToString());
            check.Acknowledged.ShouldBeGreaterThan(Cycles * Clients * 5);
            killedAfter.Count(n => n > 0).ShouldBeGreaterThan(Cycles / 2, "most kills land while writes are being acknowledged");
            intact.ShouldBeTrue(verification.ToString());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
