using Ledger.Domain.Common;
using Ledger.Projections;
using Ledger.Projections.Meetings;
using Ledger.Projections.Organizations;
using Marten;
using Marten.Services.BatchQuerying;

namespace Ledger.Host.Writing;

/// <summary>
/// The reference catalog (meetings, organizations, frameworks) a write decides with, kept between writes and
/// invalidated by its own events. The catalog is built from the inline read models of the reference streams;
/// any event on one of them rewrites its read model and raises that row's <c>mt_version</c>. A write that loads
/// its commitment reads a stamp of those versions in the same round trip (<see cref="ReadStamp"/>,
/// <see cref="StampSql"/>), and so does every refusal (<see cref="CommitmentWriter.AppendAsync"/>), so a catalog
/// changed by any host (a new meeting, an organization registered by an import) is seen by the next write here that
/// loads or is refused, and an unchanged one costs no load at all.
/// </summary>
public sealed class ReferenceData(IDocumentStore store)
{
    // A reference read model's mt_version is its stream's version, which only grows (streams are append-only and
    // never removed): the count and the sum of the versions change with every event on a reference stream.
    /// <summary>The stamp of the reference read models, as one text value (a statement can compare it with the one a decision used).</summary>
    public static readonly string StampSql =
        "select count(*)::text || ':' || coalesce(sum(v), 0)::text from (" + string.Join(" union all ",
            new[] { typeof(MeetingView), typeof(OrganizationView), typeof(FrameworkView) }.Select(t =>
                $"select mt_version as v from {LedgerStore.Schema}.mt_doc_{t.Name.ToLowerInvariant()}")) + ") r";

    private volatile Kept? _kept;

    /// <summary>Queues the catalog's stamp in <paramref name="batch"/>; pass what it read to <see cref="CatalogAsync(IQuerySession, Task{IReadOnlyList{string}}, CancellationToken)"/>.</summary>
    public static Task<IReadOnlyList<string>> ReadStamp(IBatchedQuery batch) => batch.Query<string>(StampSql);

    /// <summary>The catalog as of <paramref name="stamp"/>: the one kept, or loaded again when its read models changed.</summary>
    public async Task<ReferenceCatalog> CatalogAsync(IQuerySession session, Task<IReadOnlyList<string>> stamp, CancellationToken ct)
    {
        var current = (await stamp)[0];
        if (_kept is { } kept && kept.Stamp == current)
        {
            return kept.Catalog;
        }

        // Read the stamp again with the catalog, in one round trip: what is kept is exactly what that stamp names.
        var batch = session.CreateBatchQuery();
        var stampNow = ReadStamp(batch);
        var meetings = batch.Query<MeetingView>().ToList();
        var organizations = batch.Query<OrganizationView>().ToList();
        var frameworks = batch.Query<FrameworkView>().ToList();
        await batch.Execute(ct);

        var catalog = ReferenceCatalog.From(
            (await meetings).Select(m => new MeetingAgenda(m.Code, m.Sessions, m.Reviews)),
            (await organizations).Select(o => o.Code),
            (await frameworks).Select(f => f.Code));
        _kept = new Kept((await stampNow)[0], catalog);
        return catalog;
    }

    /// <summary>The catalog kept, with the stamp it was loaded at; null before the first write.</summary>
    public (string Stamp, ReferenceCatalog Catalog)? Current => _kept is { } kept ? (kept.Stamp, kept.Catalog) : null;

    /// <summary>
    /// The catalog as of <paramref name="stamp"/> with the stamp it is exactly at: the one kept, or loaded again in a
    /// session of its own (then at the stamp read with it, which may be later).
    /// </summary>
    public async Task<(string Stamp, ReferenceCatalog Catalog)> CatalogAtAsync(string stamp, CancellationToken ct)
    {
        if (_kept is { } kept && kept.Stamp == stamp)
        {
            return (kept.Stamp, kept.Catalog);
        }

        await using var session = store.QuerySession();
        await CatalogAsync(session, Task.FromResult<IReadOnlyList<string>>([stamp]), ct);
        var loaded = _kept!;
        return (loaded.Stamp, loaded.Catalog);
    }

    /// <summary>The catalog, with the stamp read in a round trip of its own (writes that fetch no stream first).</summary>
    public async Task<ReferenceCatalog> CatalogAsync(IQuerySession session, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var stamp = ReadStamp(batch);
        await batch.Execute(ct);
        return await CatalogAsync(session, stamp, ct);
    }

    private sealed record Kept(string Stamp, ReferenceCatalog Catalog);
}
