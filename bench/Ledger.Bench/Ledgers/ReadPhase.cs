using System.Globalization;
using Ledger.Bench.Auditing;
using Ledger.Bench.Ceiling;
using Ledger.Bench.Dashboards;
using Ledger.Bench.Harness;
using Ledger.Bench.Results;
using Ledger.Host.Security;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Bench.Ledgers;

/// <summary>
/// The read targets, at each ledger size of <see cref="BenchOptions.Sizes"/> (the ledger grows from one to the
/// next), each next to raw ordered scans of the same events table at the same size:
/// <list type="number">
/// <item>with no host running: every async projection rebuilt by Marten's daemon, the rebuild proof
/// (<c>projections-verify</c>), then the ledger verified (<c>LedgerAudit.VerifyAsync</c>) and exported;</item>
/// <item>with the host running, over HTTP: a commitment's state as of an instant, then the whole
/// board as of an instant, alternating with raw scans;</item>
/// <item>at the largest size, with the host's async daemon running: write bursts at a fixed rate, on an
/// ordinary meeting and on a crowded one, and how long the daemon takes to catch up.</item>
/// </list>
/// The times at every size are also drawn as a chart (an SVG next to the markdown table).
/// </summary>
internal static class ReadPhase
{
    private const string Database = "bench_reads";

    /// <summary>The async projections a rebuild is measured for (the Merkle tree is a subscription: it is appended to, never rebuilt).</summary>
    private static readonly string[] Rebuilt =
        [DashboardProjections.CompositeName, DashboardProjections.ActivityName, CommitmentCheckpointProjection.Name];

    private sealed record AtSize(
        long Events, double ScanRowsPerSecond, double ScanMs, IReadOnlyDictionary<string, TimeSpan> Rebuilds, TimeSpan Proof,
        double VerifyEventsPerSecond, double ExportEventsPerSecond, LoadResult State, double BoardMs)
    {
        public double VerifyMs => Events / VerifyEventsPerSecond * 1000;

        public double ExportMs => Events / ExportEventsPerSecond * 1000;
    }

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
        using var rebuilding = LedgerStores.OpenForRebuilds(connection);
        var ledger = await SyntheticLedger.OnAsync(store, connection, ct);
        var auditor = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = signingKey }), SystemClock.Instance)
            .Issue("bench.auditor", LedgerRoles.Auditor, null);

        var sizes = new List<AtSize>();
        var streams = 0;
        foreach (var events in options.Sizes)
        {
            var target = (int)(events / BenchOptions.EventsPerStream);
            Say.Step($"growing the ledger to {events:N0} events: {target - streams:N0} more commitments of {BenchOptions.EventsPerStream:N0} events");
            await ledger.GrowAsync(streams, target, ct);
            streams = target;
            var last = events == options.Sizes[^1];
            sizes.Add(await MeasureAsync(options, store, rebuilding, connection, signingKey, auditor, meter, report, last ? streams : null, ct));
        }

        foreach (var size in sizes)
        {
            report.Ceiling($"Raw ordered read of mt_events, all columns ({size.Events:N0} events)",
                $"{Report.Rate(size.ScanRowsPerSecond, "rows")} ({Report.Ms(size.ScanMs)} per scan)");
        }

        if (options.RebuildsOnly)
        {
            ReportRebuilds(sizes, report);
            return;
        }

        foreach (var size in sizes)
        {
            report.RateAtLeast($"Ledger verification, LedgerAudit.VerifyAsync ({size.Events:N0} events)",
                size.VerifyEventsPerSecond, Report.Rate(size.VerifyEventsPerSecond, "events"),
                size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"), 0.5);
        }

        foreach (var size in sizes)
        {
            report.RateAtLeast($"Ledger export, JSON Lines, LedgerExport.WriteAsync ({size.Events:N0} events)",
                size.ExportEventsPerSecond, Report.Rate(size.ExportEventsPerSecond, "events"),
                size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"), 0.5);
        }

        ReportRebuilds(sizes, report);

        foreach (var size in sizes)
        {
            report.MillisecondsAtMost($"Commitment state as of an instant, {BenchOptions.EventsPerStream:N0}-event stream, p50 ({size.Events:N0} events)",
                size.State.P50, $"p50 {Report.Ms(size.State.P50)}, p99 {Report.Ms(size.State.P99)}", 3);
        }

        var (small, big) = (sizes[0], sizes[^1]);
        report.TimeAtMost(string.Create(CultureInfo.InvariantCulture,
                $"Commitment state as of an instant: {big.Events:N0} vs {small.Events:N0} events (independent of size), p50"),
            big.State.P50, Report.Ms(big.State.P50), small.State.P50, Report.Ms(small.State.P50), 1.5);

        foreach (var size in sizes)
        {
            report.TimeAtMost($"Whole board as of an instant, GET /api/dashboard/meetings/{BoardAsOf.Meeting}?asOf= ({size.Events:N0} events)",
                size.BoardMs, Report.Ms(size.BoardMs), size.ScanMs, Report.Ms(size.ScanMs) + " raw scan", 1.5);
        }

        foreach (var (before, after) in sizes.Zip(sizes.Skip(1)))
        {
            var growth = (double)after.Events / before.Events;
            report.TimeAtMost(string.Create(CultureInfo.InvariantCulture,
                    $"Board as of an instant: growth from {before.Events:N0} to {after.Events:N0} events ({growth:0.0}× the events)"),
                after.BoardMs, Report.Ms(after.BoardMs), before.BoardMs, Report.Ms(before.BoardMs) + " smaller ledger", growth * 1.1);
        }

        await WriteChartAsync(options, sizes, report, ct);
    }

    /// <summary>
    /// The rebuild rows and the rebuild proof's, at every size. The rebuild target is stated for the largest ledger
    /// (1M events in a full run); the smaller ledgers' rebuilds are shown with their ratio, for the growth, without a
    /// target: there a rebuild's fixed cost (starting the daemon, clearing the projection's tables, its progression
    /// records) weighs against a raw scan of a few milliseconds.
    /// </summary>
    private static void ReportRebuilds(IReadOnlyList<AtSize> sizes, Report report)
    {
        foreach (var size in sizes)
        {
            var largest = size == sizes[^1];
            foreach (var projection in Rebuilt)
            {
                var elapsed = size.Rebuilds[projection];
                var rate = size.Events / elapsed.TotalSeconds;
                var value = $"{Report.Rate(rate, "events")} ({elapsed.TotalSeconds:0.0} s)";
                if (largest)
                {
                    report.RateAtLeast($"Projection rebuild `{projection}` ({size.Events:N0} events)",
                        rate, value, size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"), 0.25);
                }
                else
                {
                    report.RateInfo($"Projection rebuild `{projection}` ({size.Events:N0} events; the target is the largest ledger's)",
                        rate, value, size.ScanRowsPerSecond, Report.Rate(size.ScanRowsPerSecond, "rows"));
                }
            }
        }

        foreach (var size in sizes)
        {
            var (slowest, rebuild) = size.Rebuilds.MaxBy(r => r.Value);
            report.TimeAtMost($"Rebuild proof, projections-verify, vs one rebuild ({size.Events:N0} events)",
                size.Proof.TotalMilliseconds, Report.Ms(size.Proof.TotalMilliseconds),
                rebuild.TotalMilliseconds, $"{Report.Ms(rebuild.TotalMilliseconds)} rebuild `{slowest}`", 2);
        }
    }

    private static async Task<AtSize> MeasureAsync(
        BenchOptions options, DocumentStore store, DocumentStore rebuilding, string connection, string signingKey, string auditor,
        CpuMeter meter, Report report, int? burstStreams, CancellationToken ct)
    {
        Say.Step("vacuum, analyze, checkpoint");
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
        var name = string.Create(CultureInfo.InvariantCulture, $"{events:N0} events");
        report.Detail($"{name}: raw scans: {meter.Since(cpu).PerOperation(events * options.ScanRepeats / 1000.0, "1,000 rows")}; "
                      + $"plan: {await RawOrderedRead.PlanAsync(connection, ct)}");

        foreach (var projection in Rebuilt)
        {
            // Each rebuild starts from a ledger at rest, as the first one does: the previous rebuild's dead rows
            // vacuumed and its dirty pages written out, so no rebuild pays for the one before it.
            await BenchDatabase.SettleAsync(options, Database, ct);
            Say.Step($"{name}: rebuilding {projection}");
            cpu = meter.Read();
            var elapsed = await Rebuild.RunAsync(rebuilding, connection, projection, ct);
            Say.Progress($"{elapsed.TotalSeconds:0.0} s");
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"{name}: rebuild {projection} {elapsed.TotalSeconds:0.0} s; {meter.Since(cpu).PerOperation(events / 1000.0, "1,000 events")}"));
            rebuilds[projection] = elapsed;
        }

        Say.Step($"{name}: the rebuild proof (projections-verify)");
        cpu = meter.Read();
        var proof = await RebuildProof.RunAsync(store, ct);
        Say.Progress($"{proof.TotalSeconds:0.0} s");
        report.Detail(string.Create(CultureInfo.InvariantCulture,
            $"{name}: rebuild proof {proof.TotalSeconds:0.0} s; {meter.Since(cpu).PerOperation(events / 1000.0, "1,000 events")}"));
        if (options.RebuildsOnly)
        {
            scans.Add(await Scan(connection, ct));
            return new AtSize(events, Statistics.Median(scans.Select(s => s.RowsPerSecond)), Statistics.Median(scans.Select(s => s.Elapsed.TotalMilliseconds)),
                rebuilds, proof, double.NaN, double.NaN, new LoadResult(0, 0, null, TimeSpan.Zero, [], new CpuUse(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)), double.NaN);
        }

        var verifications = new List<double>();
        var exports = new List<double>();
        for (var i = 0; i < Math.Max(1, options.ScanRepeats - 2); i++)
        {
            Say.Step($"{name}: verifying ({i + 1})");
            cpu = meter.Read();
            var (checkedEvents, elapsed) = await Verification.RunAsync(store, ct);
            var use = meter.Since(cpu);
            verifications.Add(checkedEvents / elapsed.TotalSeconds);
            Say.Progress($"{checkedEvents:N0} events in {elapsed.TotalSeconds:0.0} s");
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"{name}: verification {i + 1}: {checkedEvents:N0} events in {elapsed.TotalSeconds:0.00} s; {use.PerOperation(checkedEvents / 1000.0, "1,000 events")}"));
            scans.Add(await Scan(connection, ct));

            Say.Step($"{name}: exporting ({i + 1})");
            cpu = meter.Read();
            var (exported, took) = await Export.RunAsync(store, ct);
            use = meter.Since(cpu);
            exports.Add(exported / took.TotalSeconds);
            Say.Progress($"{exported:N0} events in {took.TotalSeconds:0.0} s");
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"{name}: export {i + 1}: {exported:N0} events in {took.TotalSeconds:0.00} s; {use.PerOperation(exported / 1000.0, "1,000 events")}"));
            scans.Add(await Scan(connection, ct));
        }

        Say.Step($"{name}: starting the host");
        await using var host = await HostProcess.StartAsync(options, connection, signingKey, Database, ct);
        meter.Host = host.Process;
        // The ledger grew with no daemon running: the host's daemon first brings the Merkle tree (never rebuilt above)
        // up to the ledger, or a third of the machine goes to it while the reads below are measured.
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ProjectionProgress.SettleAsync(connection, TimeSpan.FromMinutes(5), ct);
        var caughtUp = started.Elapsed;
        var quiet = await host.WaitUntilQuietAsync(TimeSpan.FromSeconds(60), ct);
        report.Detail(string.Create(CultureInfo.InvariantCulture,
            $"{name}: the host's daemon had caught up {caughtUp.TotalSeconds:0.0} s after it answered /health, and the host was quiet {(caughtUp + quiet).TotalSeconds:0.0} s after"));
        Say.Step($"{name}: a commitment's state as of an instant, {options.StateRequests} requests after as many (and at least {options.StateWarmup.TotalSeconds:0} s) to warm up");
        var state = await StateAsOf.RunAsync(
            host.Address, auditor, connection, (int)(options.SmallEvents / BenchOptions.EventsPerStream), options.StateRequests, options.StateWarmup, meter, ct);
        Say.Progress($"p50 {Report.Ms(state.P50)}, p99 {Report.Ms(state.P99)}");

        Say.Step($"{name}: the board as of an instant, alternating with raw scans");
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

        report.Detail($"{name}: raw scans {string.Join(", ", scans.Select(s => Report.Ms(s.Elapsed.TotalMilliseconds)))}");
        report.Detail($"{name}: boards as of an instant {string.Join(", ", boards.Select(Report.Ms))}; last one: {lastBoard?.PerOperation(events / 1000.0, "1,000 events")}");
        report.Detail($"{name}: state as of an instant, {state.Completed} requests: p50 {Report.Ms(state.P50)}, p99 {Report.Ms(state.P99)}, max {Report.Ms(state.LatenciesMs[^1])}; {state.Cpu.PerOperation(state.Completed, "request")}");

        if (burstStreams is { } ordinary)
        {
            await BurstsAsync(options, store, connection, ordinary, meter, report, ct);
        }

        meter.Host = null;
        return new AtSize(events, Statistics.Median(scans.Select(s => s.RowsPerSecond)), Statistics.Median(scans.Select(s => s.Elapsed.TotalMilliseconds)),
            rebuilds, proof, Statistics.Median(verifications), Statistics.Median(exports), state, Statistics.Median(boards));
    }

    /// <summary>The daemon under write bursts: on the synthetic Geneva meeting, then on a crowded meeting.</summary>
    private static async Task BurstsAsync(
        BenchOptions options, DocumentStore store, string connection, int ordinary, CpuMeter meter, Report report, CancellationToken ct)
    {
        var seconds = options.BurstDuration.TotalSeconds;
        var geneva = Enumerable.Range(0, ordinary).Select(SyntheticLedger.Code).ToList();
        Say.Step(string.Create(CultureInfo.InvariantCulture,
            $"the async daemon under a {seconds:0} s write burst at {options.BurstRate:N0} events/s over {geneva.Count:N0} commitments of {BoardAsOf.Meeting}"));
        var plain = await DaemonLag.RunAsync(store, connection, geneva, options.BurstRate, options.BurstDuration, meter, ct);
        Say.Progress($"{plain.Rate:N0} events/s; drained {plain.Drain.TotalSeconds:0.0} s after the burst");

        Say.Step($"crowding {DaemonLag.CrowdedMeeting} with {DaemonLag.CrowdedCommitments:N0} commitments");
        await DaemonLag.CrowdAsync(store, ct);
        var crowd = Enumerable.Range(0, DaemonLag.CrowdedCommitments).Select(DaemonLag.CrowdedCode).ToList();
        Say.Step(string.Create(CultureInfo.InvariantCulture,
            $"the async daemon under a {seconds:0} s write burst at {options.BurstRate:N0} events/s over {crowd.Count:N0} commitments of {DaemonLag.CrowdedMeeting}"));
        var crowded = await DaemonLag.RunAsync(store, connection, crowd, options.BurstRate, options.BurstDuration, meter, ct);
        Say.Progress($"{crowded.Rate:N0} events/s; drained {crowded.Drain.TotalSeconds:0.0} s after the burst");

        foreach (var (what, burst) in new[] { ($"{geneva.Count:N0} commitments of {BoardAsOf.Meeting}", plain), ($"a meeting of {crowd.Count:N0} commitments", crowded) })
        {
            report.MillisecondsAtMost(string.Create(CultureInfo.InvariantCulture,
                    $"Async daemon lag drained after a {seconds:0} s write burst at {burst.AskedRate:N0} events/s, {what}"),
                burst.Drain.TotalMilliseconds,
                string.Create(CultureInfo.InvariantCulture, $"{burst.Drain.TotalSeconds:0.0} s (burst reached {burst.Rate:N0} events/s; largest lag {burst.MaxLag:N0} events)"),
                10_000);
            report.Detail(string.Create(CultureInfo.InvariantCulture,
                $"burst over {what}: {burst.Events:N0} events at {burst.Rate:N0}/s (asked {burst.AskedRate:N0}/s), largest lag {burst.MaxLag:N0} events, drained in {burst.Drain.TotalSeconds:0.0} s; {burst.Cpu.PerOperation(burst.Events / 1000.0, "1,000 events")}"));
        }
    }

    private static async Task WriteChartAsync(BenchOptions options, IReadOnlyList<AtSize> sizes, Report report, CancellationToken ct)
    {
        var series = new List<GrowthSeries>
        {
            new("raw ordered read (ceiling)", [.. sizes.Select(s => (s.Events, s.ScanMs))]),
            new("verification", [.. sizes.Select(s => (s.Events, s.VerifyMs))]),
            new("export (JSON Lines)", [.. sizes.Select(s => (s.Events, s.ExportMs))]),
        };
        series.AddRange(Rebuilt.Select(p => new GrowthSeries($"rebuild {p}", [.. sizes.Select(s => (s.Events, s.Rebuilds[p].TotalMilliseconds))])));
        series.Add(new GrowthSeries("rebuild proof", [.. sizes.Select(s => (s.Events, s.Proof.TotalMilliseconds))]));
        series.Add(new GrowthSeries("board as of an instant", [.. sizes.Select(s => (s.Events, s.BoardMs))]));
        series.Add(new GrowthSeries("state as of an instant (p50)", [.. sizes.Select(s => (s.Events, s.State.P50))]));

        var svg = Path.ChangeExtension(Path.GetFullPath(options.Output), ".svg");
        Directory.CreateDirectory(Path.GetDirectoryName(svg)!);
        await File.WriteAllTextAsync(svg, GrowthChart.Svg("Read measures against the ledger's size", series), ct);
        report.Context("Growth chart", $"[{Path.GetFileName(svg)}]({Path.GetFileName(svg)}) (time of each read measure at {string.Join(", ", sizes.Select(s => s.Events.ToString("N0", CultureInfo.InvariantCulture)))} events)");
    }

    private static async Task<ScanResult> Scan(string connection, CancellationToken ct)
    {
        var scan = await RawOrderedRead.RunAsync(connection, ct);
        Say.Progress($"raw ordered read: {scan.Rows:N0} rows in {Report.Ms(scan.Elapsed.TotalMilliseconds)} ({Report.Rate(scan.RowsPerSecond, "rows")})");
        return scan;
    }
}
