using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Writing;
using Marten;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>
/// The ledger's own append to Marten's event store, as the host's writer appends: one review decision per
/// write through <see cref="CommitmentAppender"/> on a store with the ledger's configuration, each sealed into the
/// commitment's hash chain (canonical JSON, SHA-256) with the commitment's inline read model folded and stored,
/// the stream version checked, stamped with a correlation id, causation id, user and request header as the
/// host's writes are, in one statement. The write model is the one the appender keeps from its previous write
/// (loaded once per commitment, as a host does on its first write to it). No HTTP, no decision: the store's cost.
/// </summary>
internal static class LedgerAppends
{
    public static async Task<LoadResult> RunAsync(IDocumentStore store, string connectionString, WriterCommitments commitments, int writers, BenchOptions options, CpuMeter meter, CancellationToken ct)
    {
        await using var appender = new CommitmentAppender(store, connectionString);
        var turns = new long[writers];
        return await LoadTest.RunAsync(writers, options.Warmup, options.Duration, meter, async (w, token) =>
        {
            var code = commitments.Code(w, turns[w]++);
            var by = new Actor($"bench.marten.{w}", "UN");
            var model = appender.Kept(code) ?? (await appender.LoadAsync(code, token)).Model
                ?? throw new InvalidOperationException($"{code} is not in the ledger");
            var correlation = Guid.NewGuid().ToString("N");
            var context = new AppendContext(correlation, correlation[..16], new Dictionary<string, string> { ["request"] = $"POST /api/commitments/{code}/reviews" });
            var review = Sample.Review(code, by, SystemClock.Instance.GetCurrentInstant());
            var (outcome, _) = await appender.AppendAsync(model, [review], context, token);
            return outcome == AppendOutcome.Written ? null : $"{code}: {outcome}";
        }, ct);
    }
}
