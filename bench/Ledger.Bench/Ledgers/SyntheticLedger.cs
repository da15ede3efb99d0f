using System.Diagnostics;
using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Projections;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Bench.Ledgers;

/// <summary>
/// Generates the ledgers the reads are measured on, through the ledger's own store (hash chains,
/// inline read models): Geneva 2022 matrix lines of <see cref="BenchOptions.EventsPerStream"/> events
/// each — a pledge, then progress reports and review decisions in turn, a quarter of them ending
/// completed — every event recorded one millisecond after the one before, from just after the seed.
/// Streams grow side by side, a few dozen events each per transaction, so a stream's events are spread
/// over the table as a real ledger's are, not stored in one run. All of it is Geneva's: the board as
/// of an instant has to fold every event of the ledger (its worst case).
/// </summary>
internal sealed class SyntheticLedger
{
    private const int StreamsPerTransaction = 20;
    private const int EventsPerTurn = 50;

    private static readonly string[] Organizations = ["UN", "OIC", "IOFS", "FAO", "UNRWA", "KAZ-MFA"];
    private static readonly string[] Countries = ["AFG", "KAZ", "PSE", "SOM", "YEM", "SDN"];
    private static readonly Actor Secretariat = new("bench.generator", "UN");

    private readonly IDocumentStore _store;
    private readonly Lock _progress = new();
    private readonly Instant _origin;
    private long _recorded;

    private SyntheticLedger(IDocumentStore store, Instant origin)
    {
        _store = store;
        _origin = origin;
    }

    /// <summary>Continues the ledger's clock from its last stored event.</summary>
    public static async Task<SyntheticLedger> OnAsync(IDocumentStore store, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select max(timestamp) from {LedgerStore.Schema}.mt_events", connection);
        var last = await command.ExecuteScalarAsync(ct) is DateTime at ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : SystemClock.Instance.GetCurrentInstant();
        return new SyntheticLedger(store, last + Duration.FromSeconds(1));
    }

    public static string Code(int stream) =>
        string.Create(CultureInfo.InvariantCulture, $"GVA-2022-{10 + (stream / 1000)}.{(stream % 1000) + 1}");

    /// <summary>Adds the streams numbered <paramref name="from"/> up to (excluding) <paramref name="to"/>, with two writers side by side.</summary>
    public async Task GrowAsync(int from, int to, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var total = (long)(to - from) * BenchOptions.EventsPerStream;
        long written = 0;
        var lastSaid = TimeSpan.Zero;

        void Report(long events)
        {
            var done = Interlocked.Add(ref written, events);
            lock (_progress)
            {
                if (watch.Elapsed - lastSaid >= TimeSpan.FromSeconds(10) || done == total)
                {
                    lastSaid = watch.Elapsed;
                    Say.Progress($"generated {done:N0} of {total:N0} events ({done / watch.Elapsed.TotalSeconds:N0} events/s)");
                }
            }
        }

        var groups = Enumerable.Range(from, to - from).Chunk(StreamsPerTransaction).ToList();
        foreach (var group in groups)
        {
            await using var session = _store.LightweightSession();
            foreach (var stream in group)
            {
                session.Events.StartStream<Commitment>(Code(stream), Pledge(stream));
            }

            await session.SaveChangesAsync(ct);
            Report(group.Length);
        }

        for (var version = 2; version <= BenchOptions.EventsPerStream; version += EventsPerTurn)
        {
            var first = version;
            var last = Math.Min(BenchOptions.EventsPerStream, version + EventsPerTurn - 1);
            await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (group, token) =>
            {
                await using var session = _store.LightweightSession();
                foreach (var stream in group)
                {
                    // With the version after the append, as the product's writers append (FetchForWriting): the inline
                    // read model then records the stream's real version.
                    session.Events.Append(Code(stream), last, Enumerable.Range(first, last - first + 1).Select(v => Event(stream, v)).ToArray());
                }

                await session.SaveChangesAsync(token);
                Report(group.Length * (last - first + 1));
            });
        }
    }

    private Instant Next() => _origin + Duration.FromMilliseconds(Interlocked.Increment(ref _recorded));

    private CommitmentPledged Pledge(int stream)
    {
        var code = Code(stream);
        return new CommitmentPledged(
            code, "GVA-2022", $"Synthetic matrix line {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
            [Organizations[stream % Organizations.Length]], [Organizations[(stream + 1) % Organizations.Length]],
            [Countries[stream % Countries.Length]], 1 + (stream % 3), null, ["UN-2030"],
            new LocalDate(2025, 1, 1).PlusMonths(stream % 36), Basis.Recorded, new Dictionary<string, string>(), null,
            FactDate.Day(new LocalDate(2022, 7, 1)), Secretariat, Next());
    }

    /// <summary>The event at <paramref name="version"/> (2 and up): progress reports on even versions, review decisions on odd ones.</summary>
    private object Event(int stream, int version)
    {
        var code = Code(stream);
        var at = Next();
        if (version % 2 == 1)
        {
            return new ReviewDecisionRecorded(
                code, "AST-2024", version % 4 == 1 ? ReviewRating.OnTrack : ReviewRating.Delayed, ReviewOutcome.Continue,
                $"Review {version / 2} of {code}: progress noted, next report requested.", null, Secretariat, at);
        }

        var completed = version == BenchOptions.EventsPerStream && stream % 4 == 0;
        return new ProgressReported(
            code, completed ? CommitmentStatus.Completed : CommitmentStatus.InProgress,
            $"Report {version / 2} on {code}: activities carried out as planned in the reporting period.",
            [ProgressIndicators.FromPercentComplete(completed ? 100 : Math.Min(99, version / 10))], FactDate.Day(at.InUtc().Date), null, Secretariat, at);
    }
}
