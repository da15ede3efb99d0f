using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Projections.Commitments;
using Marten;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>
/// Marten appends with the ledger's store configuration, the way the ledger's writer appends: one review
/// decision per transaction, each in a lightweight session stamped with a correlation id, causation id, user
/// and request header as the host's writer stamps its sessions, the stream fetched for writing with its inline
/// read model and its chain's last link in one round trip (<see cref="CommitmentStreams"/>). Each commit runs
/// the EventSealing listener (canonicalizes and hashes the event) and the inline projections (the commitment's
/// read model), in one transaction. No HTTP, no decision: the store's own cost.
/// </summary>
internal static class MartenAppends
{
    public static Task<LoadResult> RunAsync(IDocumentStore store, WriterCommitments commitments, int writers, BenchOptions options, CpuMeter meter, CancellationToken ct)
    {
        var turns = new long[writers];
        var nextReview = SystemClock.Instance.GetCurrentInstant().InUtc().Date.PlusYears(1);
        return LoadTest.RunAsync(writers, options.Warmup, options.Duration, meter, async (w, token) =>
        {
            var code = commitments.Code(w, turns[w]++);
            var by = new Actor($"bench.marten.{w}", "UN");
            await using var session = store.LightweightSession();
            session.CorrelationId = Guid.NewGuid().ToString("N");
            session.CausationId = session.CorrelationId;
            session.LastModifiedBy = by.User;
            session.SetHeader("request", $"POST /api/commitments/{code}/reviews");
            var stream = await session.FetchCommitmentForWritingAsync(code, null, token);
            stream.AppendOne(new ReviewDecisionRecorded(
                code, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, Sample.Remarks, nextReview, by,
                SystemClock.Instance.GetCurrentInstant()));
            await session.SaveChangesAsync(token);
            return null;
        }, ct);
    }
}
