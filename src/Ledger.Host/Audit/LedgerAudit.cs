using System.Threading.Channels;
using System.Diagnostics;
using Ledger.Domain.Audit;
using Ledger.Host.Telemetry;
using Marten;
using NodaTime;

namespace Ledger.Host.Audit;

/// <summary>Tamper evidence over the stored rows: the digest, verification, and Merkle proofs.</summary>
public sealed class LedgerAudit(IDocumentStore store, IClock clock, LedgerMetrics metrics)
{
    /// <summary>
    /// Recomputes every chain and the Merkle root from the raw rows, compares each row with the leaf the
    /// daemon's stored tree recorded for its sequence, and names what was altered, removed, reordered or inserted.
    /// </summary>
    public async Task<VerificationReport> VerifyAsync(LedgerDigest? saved, IProgress<long>? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // The stored tree alone: verification recomputes every leaf itself, so the events the daemon has not
        // reached yet are not read and hashed a second time before the scan.
        await using var tree = await LedgerTreeView.OpenStoredAsync(store, ct);
        var verification = new LedgerVerification(saved, tree: await tree.StoredHeadAsync(ct));

        // Reading and checking run side by side (two cores): one task reads and decodes the rows in batches,
        // this one recomputes the chains and the tree from them, in the same global order.
        var batches = Channel.CreateBounded<(StoredEvent? Row, TreeLeaf? Leaf)[]>(
            new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(() => ReadInBatchesAsync(tree, batches.Writer, stop.Token), CancellationToken.None);
        long rows = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                foreach (var (row, leaf) in batch)
                {
                    if (row is null)
                    {
                        verification.CheckLeafWithoutRow(leaf!);
                        continue;
                    }

                    verification.Check(row, leaf);
                    if (++rows % 5000 == 0)
                    {
                        progress?.Report(verification.EventsChecked);
                    }
                }
            }
        }
        finally
        {
            // Never leave the reader running on the view's connection once this side has stopped.
            await stop.CancelAsync();
            await reading;
        }
        verification.CheckStreamVersions(await RawEvents.StreamVersionsAsync(tree, ct));
        progress?.Report(verification.EventsChecked);
        var report = verification.Complete(clock.GetCurrentInstant().ToDateTimeOffset());
        metrics.RecordVerification(Stopwatch.GetElapsedTime(started), report.Intact);
        return report;
    }

    private const int FirstBatchSize = 32;
    private const int BatchSize = 1024;
    private const int BatchesAhead = 8;

    /// <summary>
    /// The tree view's scan, handed over in batches; the channel is completed with the scan's failure, if any.
    /// The first batches are small and each is twice the one before, up to <see cref="BatchSize"/>, so that
    /// checking starts with the first rows instead of after a thousand (most of a small ledger).
    /// </summary>
    private static async Task ReadInBatchesAsync(
        LedgerTreeView tree, ChannelWriter<(StoredEvent? Row, TreeLeaf? Leaf)[]> batches, CancellationToken ct)
    {
        try
        {
            var size = FirstBatchSize;
            var batch = new List<(StoredEvent? Row, TreeLeaf? Leaf)>(BatchSize);
            await foreach (var item in tree.ScanAsync(ct))
            {
                batch.Add(item);
                if (batch.Count == size)
                {
                    await batches.WriteAsync([.. batch], ct);
                    batch.Clear();
                    size = Math.Min(size * 2, BatchSize);
                }
            }

            if (batch.Count > 0)
            {
                await batches.WriteAsync([.. batch], ct);
            }

            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }
    }

    /// <summary>
    /// The ledger's digest now: the root of the Merkle tree the async daemon keeps over every event's chain
    /// hash in global order, including the events recorded since its last page (<see cref="LedgerTreeView"/>).
    /// </summary>
    public async Task<LedgerDigest> DigestAsync(CancellationToken ct)
    {
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        return await DigestAsync(tree, ct);
    }

    /// <summary>The digest of what <paramref name="tree"/> sees: the ledger as it stands in that view's snapshot.</summary>
    public async Task<LedgerDigest> DigestAsync(LedgerTreeView tree, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return new LedgerDigest(
            MerkleTree.Algorithm,
            tree.Size,
            Convert.ToHexStringLower(await tree.RootAsync(tree.Size, ct)),
            tree.LastSequence,
            EventHash.Algorithm,
            clock.GetCurrentInstant().ToDateTimeOffset());
    }

    /// <summary>Proof that the event at <paramref name="sequence"/> is in the tree of <paramref name="treeSize"/> leaves (the whole ledger when null).</summary>
    public async Task<InclusionProof?> InclusionAsync(long sequence, long? treeSize, CancellationToken ct)
    {
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        var size = treeSize ?? tree.Size;
        if (await tree.LeafIndexAsync(sequence, ct) is not { } index || size < 1 || size > tree.Size || index >= size)
        {
            return null;
        }

        var ranges = MerkleTree.InclusionRanges(index, size);
        var hashes = await tree.HashesAsync([new MerkleRange(index, 1), new MerkleRange(0, size), .. ranges], ct);
        return new InclusionProof(sequence, index, size, Convert.ToHexStringLower(hashes[0]),
            [.. hashes.Skip(2).Select(Convert.ToHexStringLower)],
            Convert.ToHexStringLower(hashes[1]));
    }

    /// <summary>Proof that the tree of <paramref name="toSize"/> leaves (the whole ledger when null) extends the tree of <paramref name="fromSize"/>.</summary>
    public async Task<ConsistencyProof?> ConsistencyAsync(long fromSize, long? toSize, CancellationToken ct)
    {
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        var size = toSize ?? tree.Size;
        if (fromSize < 1 || fromSize > size || size > tree.Size)
        {
            return null;
        }

        return (await tree.ConsistencyProofsAsync([(fromSize, size)], ct))[0];
    }
}
