using System.Globalization;
using Ledger.Bench.Ceiling;
using Ledger.Bench.Harness;
using Ledger.Bench.Results;
using Ledger.Host.Security;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>
/// The write targets, each measured in rounds right next to the ceiling it is compared with: a round
/// runs the raw INSERT ceiling, then the measure, for the same time with the same 16 writers; every
/// table value is the median over the rounds, with each round listed in the details.
/// <list type="number">
/// <item>With no host running: raw INSERT, then Marten appends (the harness's own store with the
/// ledger's configuration), so the store's measure does not share the cores with a daemon.</item>
/// <item>With the host running (as deployed: its async daemon projects the dashboards from the events
/// as they arrive): raw INSERT, then HTTP review decisions, then the same with idempotency keys. Before
/// each measurement the harness waits until the daemon has caught up with the previous one.</item>
/// </list>
/// </summary>
internal static class WritePhase
{
    private const string Database = "bench_writes";
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
        Say.Progress($"pledged {2 * WriterCommitments.Count:N0} commitments for the writers ({WriterCommitments.PerWriter} each, in Astana 2024 for the store's writers and Geneva 2022 for the HTTP clients)");

        // One unmeasured run of each first: the runtime only compiles hot code fully optimized after
        // many calls, and the first round would otherwise measure the JIT as much as the ledger.
        await Measure("warming up: raw INSERT and Marten appends (not counted)", async () =>
        {
            await RawInsert.RunAsync(database.Owner, payload, options, meter, ct);
            return await MartenAppends.RunAsync(store, martenCommitments, options, meter, ct);
        });

        var rawNextToMarten = new List<LoadResult>();
        var marten = new List<LoadResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var raw = await Measure($"round {round}/{options.Rounds}: raw INSERT ceiling, {BenchOptions.Writers} writers",
                () => RawInsert.RunAsync(database.Owner, payload, options, meter, ct));
            var appends = await Measure($"round {round}/{options.Rounds}: Marten appends, {BenchOptions.Writers} writers",
                () => MartenAppends.RunAsync(store, martenCommitments, options, meter, ct));
            rawNextToMarten.Add(raw);
            marten.Add(appends);
            report.Detail(Line(round, "raw INSERT", raw, "row"));
            report.Detail(Line(round, "Marten append", appends, "event") + $"; {Report.Times(appends.PerSecond / raw.PerSecond)} the raw INSERT before it");
        }

        var rawNextToHttp = new List<LoadResult>();
        var reviews = new List<LoadResult>();
        var idempotent = new List<LoadResult>();
        Say.Step("starting the host for the HTTP writes");
        await using (var host = await HostProcess.StartAsync(options, connection, signingKey, Database, ct))
        {
            meter.Host = host.Process;
            var issuer = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = signingKey }), SystemClock.Instance);
            using var client = new HttpReviews(host.Address, issuer, httpCommitments);
            var versions = await httpCommitments.VersionsAsync(connection, ct);
            await client.WarmUpAsync(versions, ct);
            await Measure("warming up: HTTP review decisions (not counted)",
                () => client.RunAsync(versions, withIdempotencyKey: true, options, meter, ct));
            for (var round = 1; round <= options.Rounds; round++)
            {
                await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                var raw = await Measure($"round {round}/{options.Rounds}: raw INSERT ceiling, {BenchOptions.Writers} writers",
                    () => RawInsert.RunAsync(database.Owner, payload, options, meter, ct));
                await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                var plain = await Measure($"round {round}/{options.Rounds}: HTTP review decisions, {BenchOptions.Writers} clients",
                    () => client.RunAsync(versions, withIdempotencyKey: false, options, meter, ct));
                await ProjectionProgress.SettleAsync(connection, SettleTimeout, ct);
                var keyed = await Measure($"round {round}/{options.Rounds}: HTTP review decisions with Idempotency-Key, {BenchOptions.Writers} clients",
                    () => client.RunAsync(versions, withIdempotencyKey: true, options, meter, ct));
                rawNextToHttp.Add(raw);
                reviews.Add(plain);
                idempotent.Add(keyed);
                report.Detail(Line(round, "raw INSERT (host idle)", raw, "row"));
                report.Detail(Line(round, "HTTP review decision", plain, "request") + $"; {Report.Times(plain.PerSecond / raw.PerSecond)} the raw INSERT before it");
                report.Detail(Line(round, "HTTP review decision with Idempotency-Key", keyed, "request") + $"; {Report.Times(keyed.PerSecond / raw.PerSecond)}");
            }

            meter.Host = null;
        }

        report.Detail("Marten appends went to " + await martenCommitments.DescribeLengthsAsync(connection, ct)
                      + "; HTTP review decisions to " + await httpCommitments.DescribeLengthsAsync(connection, ct));

        var allRaw = rawNextToMarten.Concat(rawNextToHttp).ToList();
        report.Ceiling($"Raw single-row durable INSERT, {BenchOptions.Writers} writers", RateAndLatency(allRaw, "rows"));

        var martenCeiling = Median(rawNextToMarten);
        report.RateAtLeast($"Marten append (ledger store: hash chain, inline projections), {BenchOptions.Writers} writers, 1 event per transaction",
            Median(marten), RateAndLatency(marten, "events"), martenCeiling, Report.Rate(martenCeiling, "rows"), 0.8);

        var httpCeiling = Median(rawNextToHttp);
        var valid = reviews.All(r => r.Refused == 0);
        report.RateAtLeast($"HTTP review decision end to end (JWT, If-Match, hash chain, inline projection), {BenchOptions.Writers} clients",
            Median(reviews), RateAndLatency(reviews, "requests"), httpCeiling, Report.Rate(httpCeiling, "rows"), 0.5, valid);
        var p99 = Pooled(reviews, 99);
        report.MillisecondsAtMost($"HTTP review decision p99 latency, {BenchOptions.Writers} clients", p99, Report.Ms(p99), 15, valid);
        report.RateInfo($"HTTP review decision with an Idempotency-Key (key and answer stored with the events), {BenchOptions.Writers} clients",
            Median(idempotent), RateAndLatency(idempotent, "requests"), httpCeiling, Report.Rate(httpCeiling, "rows"), idempotent.All(r => r.Refused == 0));

        foreach (var refused in reviews.Concat(idempotent).Where(r => r.Refused > 0))
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
            $"{result.PerSecond:N0}/s, p50 {Report.Ms(result.P50)}, p99 {Report.Ms(result.P99)}{refused}; {result.Cpu.PerOperation(result.Completed, "operation")}"));
        return result;
    }

    private static double Median(IEnumerable<LoadResult> runs) => Statistics.Median(runs.Select(r => r.PerSecond));

    /// <summary>A latency percentile over every operation of every round.</summary>
    private static double Pooled(IEnumerable<LoadResult> runs, double percentile) =>
        Statistics.Percentile(runs.SelectMany(r => r.LatenciesMs).Order().ToList(), percentile);

    private static string RateAndLatency(IReadOnlyList<LoadResult> runs, string unit) =>
        $"{Report.Rate(Median(runs), unit)} (p50 {Report.Ms(Pooled(runs, 50))}, p99 {Report.Ms(Pooled(runs, 99))})";

    private static string Line(int round, string what, LoadResult result, string unit) => string.Create(CultureInfo.InvariantCulture,
        $"round {round}, {what}: {result.PerSecond:N0}/s, p50 {Report.Ms(result.P50)}, p99 {Report.Ms(result.P99)}; {result.Cpu.PerOperation(result.Completed, unit)}");
}
