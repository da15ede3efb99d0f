using Ledger.Domain.Common;
using Ledger.Projections.Meetings;
using Ledger.Projections.Organizations;
using Marten;

namespace Ledger.Host.Writing;

/// <summary>Loads the reference catalog (meetings, organizations, frameworks) from the read models in one round trip.</summary>
public static class ReferenceData
{
    public static async Task<ReferenceCatalog> LoadCatalogAsync(this IQuerySession session, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var meetings = batch.Query<MeetingView>().ToList();
        var organizations = batch.Query<OrganizationView>().ToList();
        var frameworks = batch.Query<FrameworkView>().ToList();
        await batch.Execute(ct);

        return ReferenceCatalog.From(
            (await meetings).Select(m => new MeetingAgenda(m.Code, m.Sessions, m.Reviews)),
            (await organizations).Select(o => o.Code),
            (await frameworks).Select(f => f.Code));
    }
}
