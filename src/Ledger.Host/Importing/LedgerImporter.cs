using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Host.Writing;
using Ledger.Projections;
using Marten;
using Marten.Exceptions;
using NodaTime;

namespace Ledger.Host.Importing;

/// <summary>
/// Imports into the event store, by the one set of rules <see cref="ImportPlan"/> states: a stream already in the
/// ledger is left alone (importing the same data again records nothing), a code given twice is refused, each pledge
/// is decided as the pledge endpoint decides it, and every stream of one import is written in one transaction, or,
/// when any entry is refused, none is.
/// <para>
/// <see cref="ImportMatrixAsync"/> is the one entry point of a matrix import (<c>POST /api/imports</c>, and any
/// other caller with a parsed matrix); <see cref="ImportAsync"/> imports the meetings' data the ledger is seeded
/// with (meetings, organizations and frameworks as well as pledges).
/// </para>
/// </summary>
public sealed class LedgerImporter(IDocumentStore store, IClock clock, ReferenceData reference, ILogger<LedgerImporter> logger)
{
    private const int Attempts = 3;

    /// <summary>
    /// Imports a matrix of pledges against the ledger's reference catalog: all new lines in one transaction, or,
    /// when any line is refused, nothing (the report's <see cref="ImportReport.Created"/> is then empty).
    /// </summary>
    /// <param name="lines">The parsed matrix: each pledge with where it stands in the data.</param>
    /// <param name="by">Who imports.</param>
    /// <param name="transaction">
    /// How the caller's transaction is opened and what else it records with the streams (an HTTP request's ids and
    /// idempotency record); null: a session of the import's own.
    /// </param>
    /// <param name="ct">Cancels the import; nothing is recorded then.</param>
    public Task<ImportReport> ImportMatrixAsync(
        IReadOnlyList<PledgeLine> lines, Actor by, ImportTransaction? transaction = null, CancellationToken ct = default)
    {
        var keys = lines.Select(l => l.Command.Code).Where(CommitmentCode.IsWellFormed).Select(c => StreamKeys.Commitment(c!)).Distinct().ToArray();
        return RecordAsync(
            async (session, now) =>
            {
                var batch = session.CreateBatchQuery();
                var stamp = ReferenceData.ReadStamp(batch);
                var present = batch.Query<string>($"select id from {LedgerStore.Schema}.mt_streams where id = any(?)", (object)keys);
                await batch.Execute(ct);
                var catalog = await reference.CatalogAsync(session, stamp, ct);
                var existing = (await present).ToHashSet(StringComparer.Ordinal);
                return ImportPlan.ForPledges(lines, catalog, existing.Contains, by, now);
            },
            by, transaction, null, ct);
    }

    /// <summary>Imports meetings' data (the seed): its meetings, organizations, frameworks and pledges, all or nothing.</summary>
    public Task<ImportReport> ImportAsync(MeetingsData data, Actor by, IProgress<string>? progress = null, CancellationToken ct = default) =>
        RecordAsync(
            async (session, now) =>
            {
                var ids = await session.AdvancedSql.QueryAsync<string>($"select id from {LedgerStore.Schema}.mt_streams", ct);
                return ImportPlan.For(data, ids.ToHashSet(StringComparer.Ordinal).Contains, by, now);
            },
            by, null, progress, ct);

    /// <summary>
    /// Plans against the ledger as it is and records the plan when nothing is refused. Two importers of the same
    /// data race; the loser plans again and finds the winner's streams present.
    /// </summary>
    private async Task<ImportReport> RecordAsync(
        Func<IDocumentSession, Instant, Task<ImportPlan>> planAsync, Actor by, ImportTransaction? transaction, IProgress<string>? progress,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = transaction?.Open() ?? OwnSession(by);
            var plan = await planAsync(session, clock.GetCurrentInstant());
            var report = plan.Report;
            progress?.Report($"{report.Created.Count} new streams, {report.AlreadyPresent.Count} already present, {report.Refused.Count} refused");
            if (report.Refused.Count > 0)
            {
                return report with { Created = [], EventCount = 0 };
            }

            if (plan.Streams.Count == 0)
            {
                return report;
            }

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

            transaction?.Enlist?.Invoke(session, report);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (ExistingStreamIdCollisionException) when (attempt < Attempts)
            {
                ImportLog.ConcurrentImport(logger);
                continue;
            }

            ImportLog.Imported(logger, plan.Streams.Count, report.EventCount, report.AlreadyPresent.Count);
            return report;
        }
    }

    private IDocumentSession OwnSession(Actor by)
    {
        var session = store.LightweightSession();
        session.CorrelationId = $"import-{Guid.NewGuid():N}";
        session.LastModifiedBy = by.User;
        return session;
    }
}

/// <summary>
/// The transaction an import records in, when the caller has one: <paramref name="Open"/> opens its session (with the
/// caller's ids), <paramref name="Enlist"/> stages what else must commit with the streams, given the report they make.
/// </summary>
public sealed record ImportTransaction(Func<IDocumentSession> Open, Action<IDocumentSession, ImportReport>? Enlist = null);
