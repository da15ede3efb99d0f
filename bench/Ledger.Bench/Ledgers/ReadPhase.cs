using System.Globalization;
using Ledger.Bench.Auditing;
using Ledger.Bench.Ceiling;
using Ledger.Bench.Dashboards;
using Ledger.Bench.Harness;
using Ledger.Bench.Results;
using Ledger.Host.Security;
using Ledger.Projections.Dashboards;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Bench.Ledgers;

/// <summary>
/// The read targets, at two ledger sizes (a tenth of <see cref="BenchOptions.Events"/>, then all of
/// it), each next to raw ordered scans of the same events table at the same size:
/// <list type="number">
/// <item>with no host running: the async projections rebuilt by Marten's daemon, then the ledger
/// verified (<c>LedgerAudit.VerifyAsync</c>);</item>
/// <item>with the host running, over HTTP: a commitment's state as of an instant, then the whole
/// board as of an instant, alternating with raw scans.</item>
/// </list>
/// </summary>
internal static class ReadPhase
{
    private const string Database = "bench_reads";

    private sealed record AtSize(
        string Name, long Events, double ScanRowsPerSecond, double ScanMs, TimeSpan Dashboards, TimeSpan Activity,
        double VerifyEventsPerSecond, LoadResult State, double BoardMs);

    public static async Task RunAsync(BenchOptions options, string signingKey, CpuMeter meter, Report report, CancellationToken ct)
    {
        Say.Step($"read phase: database {Database}; the owner applies the schema (db-apply), the host seeds the shipped data");
        var database = await BenchDatabase.CreateAsync(options, Database, ct);
        var connection = database.Runtime;
        await using (await HostProcess.StartAsync(options, connection, signingKey, Database, ct))
        {
            Say.Progress("shipped data seeded");
        }

        using var store = LedgerStores.Open(connection);
        var ledger = await SyntheticLedger.OnAsync(store, connection, ct);
        var smallStreams = (int)(options.SmallEvents / BenchOptions.EventsPerStream);
        var bigStreams = (int)(options.Events / BenchOptions.EventsPerStream);
        var auditor = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = signingKey }), SystemClock.Instance)
            .Issue("bench.auditor", LedgerRoles.Auditor, null);

        Say.Step($"generating the smaller ledger: {smallStreams:N0} commitments of {BenchOptions.EventsPerStream:N0} events");
        await ledger.GrowAsync(0, smallStreams, ct);
        var small = await MeasureAsync("smaller", options, store, connection, signingKey, auditor, meter, report, ct);

        Say.Step($"growing it to the larger ledger: {bigStreams - smallStreams:N0} more commitments of {BenchOptions.EventsPerStream:N0} events");
        await ledger.GrowAsync(smallStreams, bigStreams, ct);
        var big = await MeasureAsync("larger", options, store, connection, signingKey, auditor, meter, report, ct);

        foreach (var size in new[] { small, big })
        {
            report.Ceiling($"Raw ordered read of mt_events, all columns ({size.Events:N0} events)",
                $"{Report.Rate(size.ScanRowsPerSecond, "rows")} ({Report.Ms(size.ScanMs)} per scan)");
        }

        foreach (var size in new[] { small, big })
        {
            report.RateAtLeast($"Ledger verification, LedgerAudit.VerifyAsync ({size.Events:N0} events)",
                size.VerifyEventsPerSecond, Report.Rate(size.VerifyEventsPerSecond, "events"),
                size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"), 0.5);
        }

        foreach (var size in new[] { small, big })
        {
            foreach (var (projection, elapsed) in new[] { (DashboardProjections.CompositeName, size.Dashboards), (DashboardProjections.ActivityName, size.Activity) })
            {
                var rate = size.Events / elapsed.TotalSeconds;
                report.RateAtLeast($"Projection rebuild `{projection}` ({size.Events:N0} events)",
                    rate, $"{Report.Rate(rate, "events")} ({elapsed.TotalSeconds:0.0} s)",
                    size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"), 0.25);
            }
        }

        foreach (var size in new[] { small, big })
        {
            report.MillisecondsAtMost($"Commitment state as of an instant, {BenchOptions.EventsPerStream:N0}-event stream, p50 ({size.Events:N0} events)",
                size.State.P50, $"p50 {Report.Ms(size.State.P50)}, p99 {Report.Ms(size.State.P99)}", 3);
        }

        report.TimeAtMost($"Commitment state as of an instant: larger ledger vs smaller (independent of size), p50",
            big.State.P50, Report.Ms(big.State.P50), small.State.P50, Report.Ms(small.State.P50), 1.5);

        foreach (var size in new[] { small, big })
        {
            report.TimeAtMost($"Whole board as of an instant, GET /api/dashboard/meetings/{BoardAsOf.Meeting}?asOf= ({size.Events:N0} events)",
                size.BoardMs, Report.Ms(size.BoardMs), size.ScanMs, Report.Ms(size.ScanMs) + " raw scan", 1.5);
        }

        report.TimeAtMost(string.Create(CultureInfo.InvariantCulture,
                $"Board as of an instant: growth with {(double)big.Events / small.Events:0.0}× the events"),
            big.BoardMs, Report.Ms(big.BoardMs), small.BoardMs, Report.Ms(small.BoardMs) + " smaller ledger", 11);
    }

    private static async Task<AtSize> MeasureAsync(
        string name, BenchOptions options, DocumentStore store, string connection, string signingKey, string auditor,
        CpuMeter meter, Report report, CancellationToken ct)
    {
        Say.Step($"{name} ledger: vacuum, analyze, checkpoint");
        await BenchDatabase.SettleAsync(options, Database, ct);
        var scans = new List<ScanResult>();
        var rebuilds = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        await RawOrderedRead.RunAsync(connection, ct);
        var cpu = meter.Read();
        for (var i = 0; i < options.ScanRepeats; i++)
        {
            scans.Add(await Scan(connection, ct));
        }

        var events = scans[0].Rows;
        report.Detail($"{name} ledger ({events:N0} events): raw scans: {meter.Since(cpu).PerOperation(events * options.ScanRepeats / 1000.0, "1,000 rows")}; "
                      + $"plan: {await RawOrderedRead.PlanAsync(connection, ct)}");

        foreach (var projection in new[] { DashboardProjections.CompositeName, DashboardProjections.ActivityName })
        {
            Say.Step($"{name} ledger: rebuilding {projection}");
            cpu = meter.Read();
            var elapsed = await Rebuild.RunAsync(store, connection, projection, ct);
            Say.Progress($"{elapsed.TotalSeconds:0.0} s");
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"{name} ledger: rebuild {projection} {elapsed.TotalSeconds:0.0} s; {meter.Since(cpu).PerOperation(events / 1000.0, "1,000 events")}"));
            rebuilds[projection] = elapsed;
        }

        var verifications = new List<double>();
        for (var i = 0; i < Math.Max(1, options.ScanRepeats - 2); i++)
        {
            Say.Step($"{name} ledger: verifying ({i + 1})");
            cpu = meter.Read();
            var (checkedEvents, elapsed) = await Verification.RunAsync(store, ct);
            var use = meter.Since(cpu);
            verifications.Add(checkedEvents / elapsed.TotalSeconds);
            Say.Progress($"{checkedEvents:N0} events in {elapsed.TotalSeconds:0.0} s");
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"{name} ledger: verification {i + 1}: {checkedEvents:N0} events in {elapsed.TotalSeconds:0.00} s; {use.PerOperation(checkedEvents / 1000.0, "1,000 events")}"));
            scans.Add(await Scan(connection, ct));
        }

        Say.Step($"{name} ledger: starting the host");
        await using var host = await HostProcess.StartAsync(options, connection, signingKey, Database, ct);
        meter.Host = host.Process;
        Say.Step($"{name} ledger: a commitment's state as of an instant, {options.StateRequests} requests after as many to warm up");
        var state = await StateAsOf.RunAsync(
            host.Address, auditor, connection, (int)(options.SmallEvents / BenchOptions.EventsPerStream), options.StateRequests, meter, ct);
        Say.Progress($"p50 {Report.Ms(state.P50)}, p99 {Report.Ms(state.P99)}");

        Say.Step($"{name} ledger: the board as of an instant, alternating with raw scans");
        using var board = await BoardAsOf.ForLastEventAsync(host.Address, auditor, connection, ct);
        await board.RunAsync(ct);
        var boards = new List<double>();
        CpuUse? lastBoard = null;
        for (var i = 0; i < options.ScanRepeats; i++)
        {
            scans.Add(await Scan(connection, ct));
            cpu = meter.Read();
            var elapsed = await board.RunAsync(ct);
            lastBoard = meter.Since(cpu);
            boards.Add(elapsed.TotalMilliseconds);
            Say.Progress($"board {Report.Ms(elapsed.TotalMilliseconds)}");
        }

        meter.Host = null;
        report.Detail($"{name} ledger: raw scans {string.Join(", ", scans.Select(s => Report.Ms(s.Elapsed.TotalMilliseconds)))}");
        report.Detail($"{name} ledger: boards as of an instant {string.Join(", ", boards.Select(Report.Ms))}; last one: {lastBoard?.PerOperation(events / 1000.0, "1,000 events")}");
        report.Detail($"{name} ledger: state as of an instant, {state.Completed} requests: p50 {Report.Ms(state.P50)}, p99 {Report.Ms(state.P99)}, max {Report.Ms(state.LatenciesMs[^1])}; {state.Cpu.PerOperation(state.Completed, "request")}");
        return new AtSize(name, events, Statistics.Median(scans.Select(s => s.RowsPerSecond)), Statistics.Median(scans.Select(s => s.Elapsed.TotalMilliseconds)),
            rebuilds[DashboardProjections.CompositeName], rebuilds[DashboardProjections.ActivityName], Statistics.Median(verifications), state, Statistics.Median(boards));
    }

    private static async Task<ScanResult> Scan(string connection, CancellationToken ct)
    {
        var scan = await RawOrderedRead.RunAsync(connection, ct);
        Say.Progress($"raw ordered read: {scan.Rows:N0} rows in {Report.Ms(scan.Elapsed.TotalMilliseconds)} ({Report.Rate(scan.RowsPerSecond, "rows")})");
        return scan;
    }
}
