using JasperFx.Events;
using Ledger.Projections.Audit;
using Marten;
using Marten.Services.BatchQuerying;

namespace Ledger.Projections.Commitments;

/// <summary>
/// How the ledger opens a commitment's stream for an append: its version and its inline read model (the write
/// model, one stored document rather than a replay of the stream), checked against the expected version when one
/// is given and again at commit, with the last link of its hash chain read in the same round trip
/// (<see cref="EventSealing.ReadLastLink"/>). A decision reads the state from <see cref="CommitmentView.ToCommitment"/>.
/// </summary>
public static class CommitmentStreams
{
    /// <summary>Queues the fetch in <paramref name="batch"/>, beside whatever else the write reads; the task completes when the batch runs.</summary>
    public static Task<IEventStream<CommitmentView>> FetchCommitmentForWriting(this IDocumentSession session, IBatchedQuery batch, string code, long? expected)
    {
        var stream = expected is { } v ? batch.Events.FetchForWriting<CommitmentView>(code, v) : batch.Events.FetchForWriting<CommitmentView>(code);
        EventSealing.ReadLastLink(session, batch, code);
        return stream;
    }

    /// <summary>Fetches the commitment's stream for writing in one round trip of its own.</summary>
    public static async Task<IEventStream<CommitmentView>> FetchCommitmentForWritingAsync(
        this IDocumentSession session, string code, long? expected, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var stream = session.FetchCommitmentForWriting(batch, code, expected);
        await batch.Execute(ct);
        return await stream;
    }
}
