using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Projections;
using Marten;
using Marten.Exceptions;
using NodaTime;

namespace Ledger.Host.Importing;

/// <summary>
/// Imports meetings' data into the event store. Idempotent: streams that already exist are left
/// alone, so importing the same data again records nothing. All streams of one import are written in
/// one transaction: an import either lands whole or not at all.
/// </summary>
public sealed class LedgerImporter(IDocumentStore store, IClock clock, ILogger<LedgerImporter> logger)
{
    public async Task<ImportReport> ImportAsync(MeetingsData data, Actor by, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        // Two hosts seeding the same empty database race; the loser sees the winner's streams on retry.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryImportAsync(data, by, progress, ct);
            }
            catch (ExistingStreamIdCollisionException) when (attempt < 3)
            {
                ImportLog.ConcurrentImport(logger);
            }
        }
    }

    private async Task<ImportReport> TryImportAsync(MeetingsData data, Actor by, IProgress<string>? progress, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var existing = await ExistingStreamsAsync(session, ct);
        var plan = ImportPlan.For(data, existing.Contains, by, clock.GetCurrentInstant());
        progress?.Report($"{plan.Report.Created.Count} new streams, {plan.Report.AlreadyPresent.Count} already present, {plan.Report.Refused.Count} refused");

        if (plan.Report.Refused.Count > 0)
        {
            // All or nothing: a data set with a refused entry is not imported at all.
            return plan.Report with { Created = [], EventCount = 0 };
        }

        if (plan.Streams.Count == 0)
        {
            return plan.Report;
        }

        session.CorrelationId = $"import-{Guid.NewGuid():N}";
        session.LastModifiedBy = by.User;
        var written = 0;
        foreach (var stream in plan.Streams)
        {
            session.Events.StartStream(stream.Key, stream.Events);
            written++;
            if (written % 10 == 0 || written == plan.Streams.Count)
            {
                progress?.Report($"staged {written}/{plan.Streams.Count} streams");
            }
        }

        await session.SaveChangesAsync(ct);
        ImportLog.Imported(logger, plan.Streams.Count, plan.Report.EventCount, plan.Report.AlreadyPresent.Count);
        return plan.Report;
    }

    private static async Task<HashSet<string>> ExistingStreamsAsync(IQuerySession session, CancellationToken ct)
    {
        var ids = await session.AdvancedSql.QueryAsync<string>($"select id from {LedgerStore.Schema}.mt_streams", ct);
        return ids.ToHashSet(StringComparer.Ordinal);
    }
}
