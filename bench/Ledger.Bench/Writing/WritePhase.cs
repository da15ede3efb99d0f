using System.Globalization;
using Ledger.Bench.Ceiling;
using Ledger.Bench.Harness;
using Ledger.Bench.Results;
using Ledger.Host.Security;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>
/// The write targets, each measured right next to the ceiling it is compared with, at 1, 4 and 16 writers:
/// <list type="number">
/// <item>With no host running: the raw single-row INSERT, W-equivalent (<see cref="WEquivalent"/>: the minimal
/// ledger write, one round trip), the plain-Marten peer (<see cref="PeerAppends"/>) and the ledger's own Marten
/// append, in that order in each round.</item>
/// <item>With the host running as deployed (its async daemon projects the dashboards, the activity feed and the
/// Merkle tree from the events as they arrive, on the same cores): W-equivalent, then HTTP review decisions;
/// at 16 clients also with idempotency keys, and on commitments with 10 and with 1,000 prior events.</item>
/// <item>With the daemon on a second host process: the writes go to a host that runs no projection.</item>
/// </list>
/// Before each HTTP measurement the harness waits until the daemon has caught up with the previous one. Every
/// table value at 16 writers is the median over the rounds; each round is listed in the details.
/// </summary>
internal static class WritePhase
{
    private const string Database = "bench_writes";
    private const int Many = BenchOptions.Writers;
    private static readonly int[] WriterCounts = [1, 4, Many];
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(BenchOptions options, string signingKey, CpuMeter meter, Report report, CancellationToken ct)
    {
        Say.Step($"write phase: database {Database}; the owner applies the schema (db-apply), the host seeds the shipped data");
        var database = await BenchDatabase.CreateAsync(options, Database, ct);
        var connection = database.Runtime;
        await using (await HostProcess.StartAsync(options, connection, signingKey, Database, ct))
        {
            Say.Progress("shipped data seeded");
        }

        using var store = LedgerStores.Open(connection);
        var payload = Sample.StoredJson(store);
        var martenCommitments = await WriterCommitments.PledgeAsync(store, "AST-2024", 10, ct);
        var httpCommitments = await WriterCommitments.PledgeAsync(store, "GVA-2022", 10, ct);
        var weqCommitments = await WriterCommitments.PledgeAsync(store, "AST-2024", 40, ct);
        var shortHistory = await WriterCommitments.PledgeAsync(store, "GVA-2022", 40, ct, priorReviews: 9);
        var longHistory = await WriterCommitments.PledgeAsync(store, "GVA-2022", 60, ct, perWriter: 2, priorReviews: 999);
        using var peer = await PeerAppends.OpenAsync(database.Owner, martenCommitments, ct);
        Say.Progress($"pledged the writers' commitments: {WriterCommitments.PerWriter} per writer for the store, HTTP, W-equivalent and the peer; " +
                     "16 per writer with 10 events and 2 per writer with 1,000 events for the history-length comparison");

        await using var weq = await WEquivalent.OpenAsync(store, connection, weqCommitments, payload, ct);

        // One unmeasured run of each first: the runtime only compiles hot code fully optimized after
        // many calls, and the first round would otherwise measure the JIT as much as the ledger.
        await Measure("warming up: raw INSERT, W-equivalent, peer and Marten appends (not counted)", async () =>
        {
            await RawInsert.RunAsync(database.Owner, payload, options, meter, ct);
            await weq.RunAsync(Many, options, meter, ct);
            await peer.RunAsync(Many, martenCommitments, options, meter, ct);
            return await LedgerAppends.RunAsync(store, connection, martenCommitments, Many, options, meter, ct);
        });

        var raw = new List<LoadResult>();
        var store16 = new Series();
        foreach (var writers in WriterCounts)
        {
            var rounds = writers == Many ? options.Rounds : 1;
            for (var round = 1; round <= rounds; round++)
            {
                var at = $"round {round}/{rounds}, {writers} writer(s)";
                if (writers == Many)
                {
                    var insert = await Measure($"{at}: raw INSERT ceiling", () => RawInsert.RunAsync(database.Owner, payload, options, meter, ct));
                    raw.Add(insert);
                    report.Detail(Line(at, "raw INSERT", insert, "row"));
                }

                var ceiling = await Measure($"{at}: W-equivalent", () => weq.RunAsync(writers, options, meter, ct));
                var plain = await Measure($"{at}: plain-Marten peer", () => peer.RunAsync(writers, martenCommitments, options, meter, ct));
                var appends = await Measure($"{at}: the ledger's appends to Marten's event store", () => LedgerAppends.RunAsync(store, connection, martenCommitments, writers, options, meter, ct));
                store16.Add(writers, ceiling, plain, appends);
                report.Detail(Line(at, "W-equivalent", ceiling, "write"));
                report.Detail(Line(at, "plain-Marten peer append", plain, "event") + $"; {Report.Times(plain.PerSecond / ceiling.PerSecond)} W-equivalent");
                report.Detail(Line(at, "ledger append", appends, "event") + $"; {Report.Times(appends.PerSecond / ceiling.PerSecond)} W-equivalent");
            }
        }

        var http = new Series();
        var idempotent = new List<LoadResult>();
        var history = new List<(LoadResult Short, LoadResult Long)>();
        var issuer = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = signingKey }), SystemClock.Instance);
        Say.Step("starting the host for the HTTP writes (its async daemon runs beside them)");
        await using (var host = await HostProcess.StartAsync(options, connection, signingKey, Database, ct))
        {
            meter.Host = host.Process;
            using var client = new HttpReviews(host.Address, issuer, httpCommitments);
            var versions = await httpCommitments.VersionsAsync(connection, ct);
            foreach (var set in new[] { shortHistory, longHistory })
            {
                foreach (var (code, version) in await set.VersionsAsync(connection, ct))
                {
                    versions[code] = version;
                }
            }

            await client.WarmUpAsync(versions, ct);
            await Measure("warming up: HTTP review decisions (not counted)",
                () => client.RunAsync(versions, withIdempotencyKey: true, Many, options, meter, ct));
            foreach (var clients in WriterCounts)
            {
                var rounds = clients == Many ? options.Rounds : 1;
                for (var round = 1; round <= rounds; round++)
                {
                    var at = $"round {round}/{rounds}, {clients} client(s), daemon on the same host";
                    await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                    var ceiling = await Measure($"{at}: W-equivalent", () => weq.RunAsync(clients, options, meter, ct));
                    await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                    var reviews = await Measure($"{at}: HTTP review decisions", () => client.RunAsync(versions, false, clients, options, meter, ct));
                    http.Add(clients, ceiling, reviews, reviews);
                    report.Detail(Line(at, "W-equivalent (host idle)", ceiling, "write"));
                    report.Detail(Line(at, "HTTP review decision", reviews, "request") + $"; {Report.Times(reviews.PerSecond / ceiling.PerSecond)} W-equivalent");
                    if (clients != Many)
                    {
                        continue;
                    }

                    await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                    var keyed = await Measure($"{at}: HTTP review decisions with Idempotency-Key", () => client.RunAsync(versions, true, clients, options, meter, ct));
                    idempotent.Add(keyed);
                    report.Detail(Line(at, "HTTP review decision with Idempotency-Key", keyed, "request") + $"; {Report.Times(keyed.PerSecond / ceiling.PerSecond)} W-equivalent");

                    await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                    var shortRun = await Measure($"{at}: HTTP review decisions, commitments with about 10 events",
                        () => client.RunAsync(versions, false, clients, options, meter, ct, shortHistory));
                    await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                    var longRun = await Measure($"{at}: HTTP review decisions, commitments with about 1,000 events",
                        () => client.RunAsync(versions, false, clients, options, meter, ct, longHistory));
                    history.Add((shortRun, longRun));
                    report.Detail(Line(at, "HTTP review decision, ~10-event commitments", shortRun, "request"));
                    report.Detail(Line(at, "HTTP review decision, ~1,000-event commitments", longRun, "request"));
                }
            }

            meter.Host = null;
        }

        var split = new Series();
        Say.Step("starting a host that runs the async daemon and a second one that serves the writes");
        await using (await HostProcess.StartAsync(options, connection, signingKey, Database + "-daemon", ct))
        await using (var writer = await HostProcess.StartAsync(options, connection, signingKey, Database + "-writer", ct, runsProjections: false))
        {
            meter.Host = writer.Process;
            using var client = new HttpReviews(writer.Address, issuer, httpCommitments);
            var versions = await httpCommitments.VersionsAsync(connection, ct);
            await client.WarmUpAsync(versions, ct);
            await Measure("warming up: HTTP review decisions to the host that runs no projection (not counted)",
                () => client.RunAsync(versions, false, Many, options, meter, ct));
            for (var round = 1; round <= options.Rounds; round++)
            {
                var at = $"round {round}/{options.Rounds}, {Many} clients, daemon on a second host";
                await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                var ceiling = await Measure($"{at}: W-equivalent", () => weq.RunAsync(Many, options, meter, ct));
                await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                var reviews = await Measure($"{at}: HTTP review decisions", () => client.RunAsync(versions, false, Many, options, meter, ct));
                split.Add(Many, ceiling, reviews, reviews);
                report.Detail(Line(at, "W-equivalent (hosts idle)", ceiling, "write"));
                report.Detail(Line(at, "HTTP review decision (the serving host's CPU)", reviews, "request") + $"; {Report.Times(reviews.PerSecond / ceiling.PerSecond)} W-equivalent");
            }

            meter.Host = null;
        }

        report.Detail("Marten and peer appends went to " + await martenCommitments.DescribeLengthsAsync(connection, ct)
                      + "; HTTP review decisions to " + await httpCommitments.DescribeLengthsAsync(connection, ct)
                      + "; the history comparison to " + await shortHistory.DescribeLengthsAsync(connection, ct)
                      + " and " + await longHistory.DescribeLengthsAsync(connection, ct));

        Rows(report, raw, store16, http, split, idempotent, history);
    }

    private static void Rows(Report report, List<LoadResult> raw, Series store, Series http, Series split, List<LoadResult> idempotent,
        List<(LoadResult Short, LoadResult Long)> history)
    {
        report.Ceiling($"Raw single-row durable INSERT, {Many} writers", RateAndLatency(raw, "rows"));
        foreach (var writers in WriterCounts)
        {
            var ceiling = Median(store.Ceilings(writers));
            report.Ceiling($"W-equivalent: event row + stream version check + read model upsert, one round trip, {writers} writer(s)",
                RateAndLatency(store.Ceilings(writers), "writes"));
            report.RateInfo($"Plain-Marten peer append (no listener, no projection), {writers} writer(s)",
                Median(store.Measures(writers)), RateAndLatency(store.Measures(writers), "events"), ceiling, Report.Rate(ceiling, "writes"));
            if (writers == Many)
            {
                report.RateAtLeast($"The ledger's append to Marten's event store (hash chain, inline read model, one statement), {writers} writers, 1 event per transaction",
                    Median(store.Others(writers)), RateAndLatency(store.Others(writers), "events"), ceiling, Report.Rate(ceiling, "writes"), 0.8);
            }
            else
            {
                report.RateInfo($"The ledger's append to Marten's event store (hash chain, inline read model, one statement), {writers} writer(s)",
                    Median(store.Others(writers)), RateAndLatency(store.Others(writers), "events"), ceiling, Report.Rate(ceiling, "writes"));
            }
        }

        var peer = Median(store.Measures(Many));
        foreach (var clients in WriterCounts)
        {
            var runs = http.Measures(clients);
            var ceiling = Median(http.Ceilings(clients));
            var valid = runs.All(r => r.Refused == 0);
            var name = $"HTTP review decision end to end (JWT, If-Match, hash chain, inline projection), {clients} client(s)";
            if (clients != Many)
            {
                report.RateInfo(name, Median(runs), RateAndLatency(runs, "requests"), ceiling, Report.Rate(ceiling, "writes"), valid);
                continue;
            }

            report.RateAtLeast(name, Median(runs), RateAndLatency(runs, "requests"), ceiling, Report.Rate(ceiling, "writes"), 0.5, valid);
            var p99 = Pooled(runs, 99);
            report.MillisecondsAtMost($"HTTP review decision p99 latency, {clients} clients", p99, Report.Ms(p99), 15, valid);
            report.RateAtLeast($"HTTP review decision vs the plain-Marten peer's own append, {clients} clients",
                Median(runs), Report.Rate(Median(runs), "requests"), peer, Report.Rate(peer, "events") + " peer", 1.0, valid);
        }

        if (history.Count > 0)
        {
            var shortRate = Statistics.Median(history.Select(h => h.Short.PerSecond));
            var longRate = Statistics.Median(history.Select(h => h.Long.PerSecond));
            report.TimeAtMost($"HTTP review decision: time per request on 1,000-event vs 10-event commitments, {Many} clients",
                1000 / longRate, $"{Report.Rate(longRate, "requests")} (p50 {Report.Ms(Pooled(history.Select(h => h.Long), 50))})",
                1000 / shortRate, $"{Report.Rate(shortRate, "requests")} (p50 {Report.Ms(Pooled(history.Select(h => h.Short), 50))})", 1.2);
        }

        var splitCeiling = Median(split.Ceilings(Many));
        report.RateInfo($"HTTP review decision with the async daemon on a second host process, {Many} clients",
            Median(split.Measures(Many)), RateAndLatency(split.Measures(Many), "requests"), splitCeiling, Report.Rate(splitCeiling, "writes"),
            split.Measures(Many).All(r => r.Refused == 0));
        var httpCeiling = Median(http.Ceilings(Many));
        report.RateInfo($"HTTP review decision with an Idempotency-Key (key and answer stored with the events), {Many} clients",
            Median(idempotent), RateAndLatency(idempotent, "requests"), httpCeiling, Report.Rate(httpCeiling, "writes"), idempotent.All(r => r.Refused == 0));

        foreach (var refused in http.All.Concat(split.All).Concat(idempotent).Concat(history.SelectMany(h => new[] { h.Short, h.Long })).Where(r => r.Refused > 0))
        {
            report.Detail($"the host refused {refused.Refused:N0} review decision(s) it should have accepted; first: {refused.FirstRefusal}");
        }
    }

    private static async Task<LoadResult> Measure(string what, Func<Task<LoadResult>> run)
    {
        Say.Step(what);
        var result = await run();
        var refused = result.Refused > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {result.Refused:N0} refused: {result.FirstRefusal}")
            : string.Empty;
        Say.Progress(string.Create(CultureInfo.InvariantCulture,
            $"{result.PerSecond:N0}/s, p50 {Report.Ms(result.P50)}, p99 {Report.Ms(result.P99)}, p99.9 {Report.Ms(result.P999)}{refused}; {result.Cpu.PerOperation(result.Completed, "operation")}"));
        return result;
    }

    private static double Median(IEnumerable<LoadResult> runs) => Statistics.Median(runs.Select(r => r.PerSecond));

    /// <summary>A latency percentile over every operation of every round.</summary>
    private static double Pooled(IEnumerable<LoadResult> runs, double percentile) =>
        Statistics.Percentile(runs.SelectMany(r => r.LatenciesMs).Order().ToList(), percentile);

    private static string RateAndLatency(IReadOnlyList<LoadResult> runs, string unit) =>
        $"{Report.Rate(Median(runs), unit)} (p50 {Report.Ms(Pooled(runs, 50))}, p99 {Report.Ms(Pooled(runs, 99))}, p99.9 {Report.Ms(Pooled(runs, 99.9))})";

    private static string Line(string at, string what, LoadResult result, string unit) => string.Create(CultureInfo.InvariantCulture,
        $"{at}, {what}: {result.PerSecond:N0}/s, p50 {Report.Ms(result.P50)}, p99 {Report.Ms(result.P99)}, p99.9 {Report.Ms(result.P999)}; {result.Cpu.PerOperation(result.Completed, unit)}");

    /// <summary>Measurements by writer count: each one's ceiling, the measure, and a second measure of the same round.</summary>
    private sealed class Series
    {
        private readonly List<(int Writers, LoadResult Ceiling, LoadResult Measure, LoadResult Other)> _runs = [];

        public IEnumerable<LoadResult> All => _runs.SelectMany(r => new[] { r.Measure, r.Other }).Distinct();

        public void Add(int writers, LoadResult ceiling, LoadResult measure, LoadResult other) => _runs.Add((writers, ceiling, measure, other));

        public List<LoadResult> Ceilings(int writers) => [.. _runs.Where(r => r.Writers == writers).Select(r => r.Ceiling)];

        public List<LoadResult> Measures(int writers) => [.. _runs.Where(r => r.Writers == writers).Select(r => r.Measure)];

        public List<LoadResult> Others(int writers) => [.. _runs.Where(r => r.Writers == writers).Select(r => r.Other)];
    }
}
