using JasperFx;
using JasperFx.Events;
using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Projections;
using Marten;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>
/// The peer: what a Critter Stack user would start with instead of the ledger. Plain Marten, as its
/// getting-started guide configures it: string stream keys, System.Text.Json (with NodaTime, as any store of
/// these events needs), Marten 9's defaults otherwise (quick append), and nothing of the ledger's: no
/// listener, no hash chain, no inline projection, no metadata. It appends the same review decisions, one per
/// transaction, to streams of its own schema in the same database.
/// </summary>
internal sealed class PeerAppends : IDisposable
{
    public const string Schema = "peer";

    private readonly DocumentStore _store;

    private PeerAppends(DocumentStore store)
    {
        _store = store;
    }

    /// <summary>Opens the peer's store as the owner role, which creates its schema as a new user's store would, and starts its streams.</summary>
    public static async Task<PeerAppends> OpenAsync(string ownerConnection, WriterCommitments commitments, CancellationToken ct)
    {
        var store = DocumentStore.For(opts =>
        {
            opts.Connection(ownerConnection);
            opts.DatabaseSchemaName = Schema;
            opts.Events.StreamIdentity = StreamIdentity.AsString;
            opts.UseSystemTextJsonForSerialization(configure: LedgerStore.ConfigureJson);
            opts.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var by = new Actor("bench.peer", "UN");
        for (var w = 0; w < BenchOptions.Writers; w++)
        {
            await using var session = store.LightweightSession();
            for (var i = 0; i < WriterCommitments.PerWriter; i++)
            {
                var code = commitments.Code(w, i);
                session.Events.StartStream(code, new CommitmentPledged(
                    code, "AST-2024", $"Benchmark commitment {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
                    ["UN", "OIC"], ["FAO"], ["KAZ"], 1, null, ["UN-2030"], new LocalDate(2027, 7, 1), Basis.Recorded,
                    new Dictionary<string, string>(), null, FactDate.Day(new LocalDate(2022, 7, 1)), by, SystemClock.Instance.GetCurrentInstant()));
            }

            await session.SaveChangesAsync(ct);
        }

        return new PeerAppends(store);
    }

    public Task<LoadResult> RunAsync(int writers, WriterCommitments commitments, BenchOptions options, CpuMeter meter, CancellationToken ct)
    {
        var turns = new long[writers];
        var nextReview = SystemClock.Instance.GetCurrentInstant().InUtc().Date.PlusYears(1);
        return LoadTest.RunAsync(writers, options.Warmup, options.Duration, meter, async (w, token) =>
        {
            var code = commitments.Code(w, turns[w]++);
            await using var session = _store.LightweightSession();
            session.Events.Append(code, new ReviewDecisionRecorded(
                code, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, Sample.Remarks, nextReview, new Actor($"bench.peer.{w}", "UN"),
                SystemClock.Instance.GetCurrentInstant()));
            await session.SaveChangesAsync(token);
            return null;
        }, ct);
    }

    public void Dispose() => _store.Dispose();
}
