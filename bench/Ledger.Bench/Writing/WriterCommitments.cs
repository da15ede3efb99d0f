using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Projections;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Bench.Writing;

/// <summary>
/// The commitments the write measurements append to. Each writer owns its own commitments and goes
/// round them, so no two writers ever touch one stream (no 409s to retry). There are few of them, as a
/// real meeting has few (the async daemon rewrites a meeting's whole board whenever one of its
/// commitments changes, so thousands of commitments in one meeting would make the daemon, running
/// beside the measured writes, far busier than any real meeting makes it); in exchange their streams
/// grow by some dozens of events per round, which the write path reads whole to decide. Review
/// decisions are legal on them as many times as the secretariat likes: a review decision never
/// changes a commitment's status.
/// </summary>
internal sealed class WriterCommitments
{
    public const int PerWriter = 16;

    private readonly string _meeting;
    private readonly int _group;
    private readonly int _perWriter;

    private WriterCommitments(string meeting, int group, int perWriter)
    {
        _meeting = meeting;
        _group = group;
        _perWriter = perWriter;
    }

    public int Count => BenchOptions.Writers * _perWriter;

    /// <summary>The commitment writer <paramref name="writer"/> appends to on its <paramref name="turn"/>-th write: <c>{meeting}-{group+writer}.{n}</c>.</summary>
    public string Code(int writer, long turn) =>
        string.Create(CultureInfo.InvariantCulture, $"{_meeting}-{_group + writer}.{turn % _perWriter + 1}");

    /// <summary>
    /// Pledges every writer's commitments in <paramref name="meeting"/> (status agreed), through the ledger's store,
    /// each with <paramref name="priorReviews"/> review decisions after its pledge: the history a write then finds.
    /// </summary>
    public static async Task<WriterCommitments> PledgeAsync(
        IDocumentStore store, string meeting, int group, CancellationToken ct, int perWriter = PerWriter, int priorReviews = 0)
    {
        var commitments = new WriterCommitments(meeting, group, perWriter);
        var by = new Actor("bench.setup", "UN");
        for (var w = 0; w < BenchOptions.Writers; w++)
        {
            await using var session = store.LightweightSession();
            for (var i = 0; i < perWriter; i++)
            {
                var code = commitments.Code(w, i);
                var now = SystemClock.Instance.GetCurrentInstant();
                var events = new List<object>(1 + priorReviews)
                {
                    new CommitmentPledged(
                        code, meeting, $"Benchmark commitment {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
                        ["UN", "OIC"], ["FAO"], ["KAZ"], 1 + (w % 3), null, ["UN-2030"], new LocalDate(2027, 7, 1), Basis.Recorded,
                        new Dictionary<string, string>(), null, FactDate.Day(new LocalDate(2022, 7, 1)), by, now),
                };
                for (var r = 0; r < priorReviews; r++)
                {
                    events.Add(new ReviewDecisionRecorded(code, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, Sample.Remarks, null, by, now));
                }

                session.Events.StartStream<Commitment>(code, events);
            }

            await session.SaveChangesAsync(ct);
        }

        return commitments;
    }

    /// <summary>The lengths of the commitments' streams, for the report: what the write path had to read to decide.</summary>
    public async Task<string> DescribeLengthsAsync(string connectionString, CancellationToken ct)
    {
        var versions = (await VersionsAsync(connectionString, ct)).Values.ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Count} commitments of {_meeting}, streams of {versions.Min()}–{versions.Max()} events (mean {versions.Average():0})");
    }

    /// <summary>Every writer's commitments with their current stream versions (what a client would hold as ETags).</summary>
    public async Task<Dictionary<string, long>> VersionsAsync(string connectionString, CancellationToken ct)
    {
        var codes = Enumerable.Range(0, BenchOptions.Writers).SelectMany(w => Enumerable.Range(0, PerWriter).Select(i => Code(w, i))).ToArray();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select id, version from {LedgerStore.Schema}.mt_streams where id = any(@codes)", connection);
        command.Parameters.AddWithValue("codes", codes);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }

        return versions;
    }
}
