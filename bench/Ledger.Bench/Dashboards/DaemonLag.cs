using System.Diagnostics;
using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Projections;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Bench.Dashboards;

/// <summary>What one burst did: the rate asked for and reached, the largest lag seen, and how long the lag took to drain.</summary>
internal sealed record BurstResult(double AskedRate, double Rate, long Events, long MaxLag, TimeSpan Drain, CpuUse Cpu);

/// <summary>
/// Whether the host's async daemon keeps up with writes: writers append review decisions through the ledger's
/// own store (hash chain, inline read model, one event per transaction, as an HTTP write records it) at a fixed
/// rate for a while, spread over a meeting's commitments; then the harness measures how long every async shard
/// (the dashboards, the activity feed, the Merkle tree, the time-travel checkpoints) takes to reach the last
/// event. Run on a meeting of ordinary size and on a crowded one (<see cref="CrowdedCommitments"/>), where each
/// of the meeting's documents holds the most.
/// </summary>
internal static class DaemonLag
{
    /// <summary>The crowded meeting: a registered meeting given <see cref="CrowdedCommitments"/> synthetic commitments.</summary>
    public const string CrowdedMeeting = "AST-2024";

    public const int CrowdedCommitments = 10_000;

    private const int Writers = BenchOptions.Writers;
    private static readonly Actor Secretariat = new("bench.burst", "UN");

    public static string CrowdedCode(int n) => string.Create(CultureInfo.InvariantCulture, $"{CrowdedMeeting}-{100 + n}");

    /// <summary>Pledges the crowded meeting's commitments, a few hundred per transaction.</summary>
    public static async Task CrowdAsync(IDocumentStore store, CancellationToken ct)
    {
        var origin = SystemClock.Instance.GetCurrentInstant();
        foreach (var chunk in Enumerable.Range(0, CrowdedCommitments).Chunk(250))
        {
            await using var session = store.LightweightSession();
            foreach (var n in chunk)
            {
                var code = CrowdedCode(n);
                session.Events.StartStream<Commitment>(code, new CommitmentPledged(
                    code, CrowdedMeeting, $"Crowded line {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
                    ["FAO"], ["IOFS"], ["KAZ"], 1 + (n % 3), null, ["UN-2030"], new LocalDate(2025, 1, 1).PlusMonths(n % 36),
                    Basis.Recorded, new Dictionary<string, string>(), null, FactDate.Day(new LocalDate(2024, 7, 22)), Secretariat, origin));
            }

            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// Appends at <paramref name="rate"/> events per second for <paramref name="duration"/> to <paramref name="codes"/>
    /// (each writer its own share of them, so writers never meet on a stream), then waits for the daemon.
    /// </summary>
    public static async Task<BurstResult> RunAsync(
        IDocumentStore store, string connectionString, IReadOnlyList<string> codes, double rate, TimeSpan duration, CpuMeter meter,
        CancellationToken ct)
    {
        await WaitAsync(connectionString, TimeSpan.FromMinutes(10), ct);
        var versions = await VersionsAsync(connectionString, ct);
        var cpu = meter.Read();
        var watch = Stopwatch.StartNew();
        long issued = -1;
        long maxLag = 0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            try
            {
                while (!sampling.IsCancellationRequested)
                {
                    maxLag = Math.Max(maxLag, await LagAsync(connectionString, sampling.Token));
                    await Task.Delay(500, sampling.Token);
                }
            }
            catch (OperationCanceledException) when (sampling.IsCancellationRequested)
            {
                // The burst is over.
            }
        }, CancellationToken.None);

        async Task Write(int writer)
        {
            var mine = codes.Where((_, i) => i % Writers == writer).ToArray();
            var turn = 0;
            while (true)
            {
                var ticket = Interlocked.Increment(ref issued);
                var due = TimeSpan.FromSeconds(ticket / rate);
                if (due >= duration || mine.Length == 0)
                {
                    return;
                }

                // The clock is read once: read twice, it can pass the due time in between and ask for a negative wait.
                var wait = due - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                var code = mine[turn++ % mine.Length];
                await using var session = store.LightweightSession();

                // At the version the writer knows (it alone writes to its streams), as the product appends.
                var version = versions[code] + 1;
                session.Events.Append(code, version, new ReviewDecisionRecorded(
                    code, "AST-2024", turn % 2 == 0 ? ReviewRating.OnTrack : ReviewRating.Delayed, ReviewOutcome.Continue,
                    $"Burst review {turn} of {code}.", null, Secretariat, SystemClock.Instance.GetCurrentInstant()));
                await session.SaveChangesAsync(ct);
                versions[code] = version;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => Write(w), ct)));
        var written = watch.Elapsed;
        var events = Math.Min(Interlocked.Read(ref issued), (long)(rate * duration.TotalSeconds));
        var drain = await WaitAsync(connectionString, TimeSpan.FromMinutes(10), ct);
        await sampling.CancelAsync();
        await sampler;
        return new BurstResult(rate, events / written.TotalSeconds, events, maxLag, drain, meter.Since(cpu));
    }

    /// <summary>Every stream's version now.</summary>
    private static async Task<System.Collections.Concurrent.ConcurrentDictionary<string, long>> VersionsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select id, version from {LedgerStore.Schema}.mt_streams", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }

        return versions;
    }

    /// <summary>Waits until every async shard has reached the last stored event; how long that took.</summary>
    private static async Task<TimeSpan> WaitAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (await LagAsync(connectionString, ct) > 0)
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the async daemon was still behind after {timeout.TotalMinutes:0} minutes");
            }

            await Task.Delay(50, ct);
        }

        return watch.Elapsed;
    }

    /// <summary>
    /// How many events the slowest async shard is behind the last stored event. Shards' rows are named
    /// <c>projection:shard</c>; the daemon's own rows (the high-water mark and its helpers) are not shards.
    /// </summary>
    private static async Task<long> LagAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
             select coalesce((select max(seq_id) from {LedgerStore.Schema}.mt_events), 0)
                    - coalesce((select min(last_seq_id) from {LedgerStore.Schema}.mt_event_progression where name like '%:%'), 0)
             """, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
