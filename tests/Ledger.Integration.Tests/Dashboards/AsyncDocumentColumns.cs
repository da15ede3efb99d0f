using Ledger.Integration.Tests.Support;
using Ledger.Projections;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>
/// The async projections' documents are stored as their id and JSON (and an aggregation's numeric revision, the version
/// it has folded), without Marten's informational columns: a rebuild would otherwise draw a random <c>mt_version</c> and
/// write the type's name and a timestamp for each of a million activity entries. The inline read models keep theirs.
/// </summary>
public sealed class AsyncDocumentColumns(LedgerFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task async_read_models_are_stored_without_informational_columns_and_inline_ones_keep_them()
    {
        var columns = await ColumnsAsync();

        LedgerStore.AsyncDocuments.Count.ShouldBe(7);
        foreach (var document in LedgerStore.AsyncDocuments)
        {
            columns[TableOf(document)].Except(["id", "data", "mt_version:bigint"]).ShouldBeEmpty(document.Name);
        }

        columns[TableOf(typeof(CommitmentView))].ShouldContain("mt_last_modified:timestamp with time zone");
    }

    [Fact]
    public async Task a_rebuilt_activity_feed_reads_as_the_live_one_did()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();
        await using var before = Store.QuerySession();
        var live = await before.Query<ActivityEntry>().OrderBy(a => a.Id).ToListAsync();
        live.Count.ShouldBeGreaterThan(0);

        // The host's own daemon, as `projections rebuild` runs it: it deletes the entries and progress and replays every
        // event, writing the entries with COPY (a rebuild of an insert-only projection).
        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        try
        {
            await daemon.RebuildProjectionAsync(DashboardProjections.ActivityName, TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        finally
        {
            await daemon.StartAgentAsync(DashboardProjections.ActivityName + ":All", CancellationToken.None);
        }

        await using var after = Store.QuerySession();
        var rebuilt = await after.Query<ActivityEntry>().OrderBy(a => a.Id).ToListAsync();
        rebuilt.ShouldBe(live);
    }

    private string TableOf(Type document) => Store.Options.FindOrResolveDocumentType(document).TableName.Name;

    private async Task<Dictionary<string, string[]>> ColumnsAsync()
    {
        await using var session = Store.QuerySession();
        var rows = await session.AdvancedSql.QueryAsync<string>(
            "select table_name || ' ' || column_name || case when column_name like 'mt!_%' escape '!' then ':' || data_type else '' end from information_schema.columns where table_schema = 'ledger' and table_name like 'mt_doc_%'",
            CancellationToken.None);
        return rows.Select(r => r.Split(' ', 2)).GroupBy(r => r[0])
            .ToDictionary(g => g.Key, g => g.Select(r => r[1]).Order(StringComparer.Ordinal).ToArray());
    }
}
