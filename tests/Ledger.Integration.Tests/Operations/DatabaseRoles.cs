using System.Text.Json;
using Alba;
using Ledger.Domain.Audit;
using Ledger.Integration.Tests.Auditing;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Audit;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Events;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;

namespace Ledger.Integration.Tests.Operations;

/// <summary>
/// The host serves as the runtime role, which owns nothing: it appends events and maintains read models, and is
/// refused every other change of history by its privileges (and, where a privilege is needed to append, by the
/// protection triggers). The owner's schema step set it up as ./run.sh does (db-apply).
/// </summary>
public sealed class DatabaseRoles(LedgerFixture fixture) : AuditTest(fixture)
{
    /// <summary>What the runtime role may not do, each refused with <c>insufficient_privilege</c> (42501).</summary>
    private static readonly (string Sql, string Refusal)[] Refused =
    [
        ("update ledger.mt_events set data = '{}' where version = 1", "permission denied for table mt_events"),
        ("delete from ledger.mt_events where version = 1", "permission denied for table mt_events"),
        ("truncate ledger.mt_events", "permission denied for table mt_events"),
        ("alter table ledger.mt_events disable trigger ledger_events_immutable", "must be owner of table mt_events"),
        ("alter table ledger.mt_events disable trigger user", "must be owner of table mt_events"),
        ("drop trigger ledger_events_immutable on ledger.mt_events", "must be owner of relation mt_events"),
        (
            "create or replace function ledger.ledger_refuse_event_change() returns trigger language plpgsql as $$ begin return new; end $$",
            "permission denied for schema ledger"
        ),
        ("create table ledger.mt_doc_mine (id text primary key)", "permission denied for schema ledger"),
        ("delete from ledger.mt_streams where id = 'AST-2024-06'", "permission denied for table mt_streams"),
        ("truncate ledger.mt_streams cascade", "permission denied for table mt_streams"),
        ("update ledger.mt_streams set type = 'other' where id = 'AST-2024-06'", "permission denied for table mt_streams"),
        // Updating the version is what an append does, so the privilege is there: the trigger refuses a rewind.
        ("update ledger.mt_streams set version = 1 where id = 'AST-2024-06'", "ledger streams change only by an append"),
        ("update ledger.mt_streams set version = version where id = 'AST-2024-06'", "ledger streams change only by an append"),
        // A growing version needs the events that make it: checked at commit, whatever order an append writes in.
        ("update ledger.mt_streams set version = version + 5 where id = 'AST-2024-06'", "without the events to match"),
        ("insert into ledger.mt_streams (id, type, version, timestamp) values ('AST-2024-99', 'commitment', 3, now())", "without the events to match"),
        ("update ledger.merkle_leaves set event_hash = sha256(event_hash) where leaf_index = 0", "permission denied for table merkle_leaves"),
        ("delete from ledger.merkle_leaves where leaf_index = 0", "permission denied for table merkle_leaves"),
        ("delete from ledger.merkle_nodes", "permission denied for table merkle_nodes"),
        ("truncate ledger.merkle_nodes", "permission denied for table merkle_nodes"),
        ("alter table ledger.merkle_leaves disable trigger user", "must be owner of table merkle_leaves"),
        ("update ledger.merkle_tree_heads set note = ''", "permission denied for table merkle_tree_heads"),
        ("delete from ledger.merkle_tree_heads", "permission denied for table merkle_tree_heads"),
        ("truncate ledger.merkle_tree_head_keys", "permission denied for table merkle_tree_head_keys"),
    ];

    [Fact]
    public async Task the_runtime_role_is_refused_every_change_of_history()
    {
        await ReviewAsync(LetterOfIntent);
        await TreeCaughtUpAsync();
        var before = await DigestAsync();

        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var (sql, refusal) in Refused)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync(), sql);
            refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.MessageText}");
            refused.MessageText.ShouldContain(refusal, customMessage: sql);
        }

        (await Host.EventCountAsync()).ShouldBe(53);
        (await ScalarAsync("select version from ledger.mt_streams where id = 'AST-2024-06'")).ShouldBe(2);
        var report = await VerifyAsync(before);
        report.Intact.ShouldBeTrue(report.First?.Detail);
    }

    [Fact]
    public async Task the_runtime_role_appends_rebuilds_the_dashboards_runs_the_daemon_and_verifies()
    {
        var saved = await DigestAsync();
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync("GVA-2022-1.1", "delayed");
        await TreeCaughtUpAsync();

        // As `projections rebuild` does: the daemon deletes the dashboards' documents and progress and replays every event.
        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        try
        {
            await daemon.RebuildProjectionAsync(DashboardProjections.CompositeName, TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        finally
        {
            await daemon.StartAgentAsync(DashboardProjections.CompositeName + ":All", CancellationToken.None);
        }

        await TreeCaughtUpAsync();
        (await ScalarAsync("select count(*) from ledger.mt_doc_meetingboard")).ShouldBe(2);
        (await ScalarAsync("select count(*) from ledger.merkle_leaves")).ShouldBe(54);
        var report = await VerifyAsync(saved);
        report.Intact.ShouldBeTrue(report.First?.Detail);
        report.TreeLeavesCompared.ShouldBe(54);
        new NpgsqlConnectionStringBuilder(Database.ConnectionString).Username.ShouldNotBe(
            new NpgsqlConnectionStringBuilder(Database.OwnerConnectionString).Username);
    }

    [Fact]
    public async Task health_says_two_roles_hold_and_turns_unhealthy_when_the_owner_disables_the_protection()
    {
        var healthy = await HealthAsync(200);
        var protection = healthy.GetProperty("checks").GetProperty("protection");
        protection.GetProperty("status").GetString().ShouldBe("healthy");
        protection.GetProperty("data").GetProperty("mode").GetString().ShouldBe("two-roles");
        protection.GetProperty("description").GetString()!.ShouldContain("cannot change or remove stored events");

        await AsOwnerAsync("alter table ledger.mt_streams disable trigger ledger_streams_append_only");
        try
        {
            var unhealthy = await HealthAsync(503);
            var check = unhealthy.GetProperty("checks").GetProperty("protection");
            check.GetProperty("status").GetString().ShouldBe("unhealthy");
            check.GetProperty("description").GetString()!.ShouldContain("mt_streams.ledger_streams_append_only is disabled");
            check.GetProperty("data").GetProperty("protection").GetProperty("mt_streams.ledger_streams_append_only").GetString().ShouldBe("disabled");
        }
        finally
        {
            await AsOwnerAsync("alter table ledger.mt_streams enable trigger ledger_streams_append_only");
        }

        (await HealthAsync(200)).GetProperty("status").GetString().ShouldBe("healthy");
    }

    [Fact]
    public async Task health_degrades_when_the_runtime_role_is_given_more_than_its_privileges()
    {
        var runtime = new NpgsqlConnectionStringBuilder(Database.ConnectionString).Username;
        await AsOwnerAsync($"grant update on ledger.mt_events to {runtime}");
        try
        {
            var degraded = await HealthAsync(200);
            var check = degraded.GetProperty("checks").GetProperty("protection");
            check.GetProperty("status").GetString().ShouldBe("degraded");
            check.GetProperty("description").GetString()!.ShouldContain("UPDATE on mt_events");
        }
        finally
        {
            await AsOwnerAsync($"revoke update on ledger.mt_events from {runtime}");
        }
    }

    [Fact]
    public async Task a_replayed_page_adds_nothing_when_it_matches_the_stored_tree_and_stops_naming_the_row_when_not()
    {
        await ReviewAsync(LetterOfIntent);
        await TreeCaughtUpAsync();
        IReadOnlyList<JasperFx.Events.IEvent> events;
        await using (var query = Store.QuerySession())
        {
            events = await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        }

        var rows = await ScalarAsync("select count(*) from ledger.merkle_leaves") + await ScalarAsync("select count(*) from ledger.merkle_nodes");

        // The same page again, as after a rewound subscription: everything is stored already, nothing is added.
        await using (var session = Store.LightweightSession())
        {
            await LedgerMerkleTree.AppendAsync(events, 0, events[^1].Sequence, session, CancellationToken.None);
            await session.SaveChangesAsync();
        }

        (await ScalarAsync("select count(*) from ledger.merkle_leaves") + await ScalarAsync("select count(*) from ledger.merkle_nodes")).ShouldBe(rows);

        // A stored leaf that is not what its event gives: the page stops, naming it, and rewrites nothing.
        await TamperAsync("update ledger.merkle_leaves set event_hash = sha256(event_hash) where leaf_index = 7");
        await using (var session = Store.LightweightSession())
        {
            var mismatch = await Should.ThrowAsync<InvalidOperationException>(
                () => LedgerMerkleTree.AppendAsync(events, 0, events[^1].Sequence, session, CancellationToken.None));
            mismatch.Message.ShouldContain("the stored leaf 7: sequence 8");
            mismatch.Message.ShouldContain("tree-rewind");
        }
    }

    [Fact]
    public async Task the_owner_rewinds_the_tree_and_the_daemon_rebuilds_it_which_the_runtime_role_cannot_do()
    {
        await ReviewAsync(LetterOfIntent);
        await TreeCaughtUpAsync();
        var saved = await DigestAsync();
        await TamperAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = 5 and node_index = 0");
        (await VerifyAsync()).First!.Kind.ShouldBe(FindingKind.TreeMismatch);

        var asRuntime = await LedgerVerb.RunAsync(["tree-rewind"], new Dictionary<string, string> { ["ConnectionStrings:Ledger"] = Database.ConnectionString });
        asRuntime.ExitCode.ShouldNotBe(0, asRuntime.Output);
        asRuntime.Output.ShouldContain("is the runtime role");

        // The operator stops the hosts (here: pauses this host's daemon), rewinds as the owner, starts them again.
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            var rewind = await LedgerVerb.RunAsync(["tree-rewind"], Database.OwnerSettings);
            rewind.ExitCode.ShouldBe(0, rewind.Output);
            rewind.Output.ShouldContain("Rewound the Merkle tree");
            (await ScalarAsync("select count(*) from ledger.merkle_leaves")).ShouldBe(0);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await TreeCaughtUpAsync();
        (await ScalarAsync("select count(*) from ledger.merkle_leaves")).ShouldBe(53);
        var report = await VerifyAsync(saved);
        report.Intact.ShouldBeTrue(report.First?.Detail);
        (await DigestAsync()).RootHash.ShouldBe(saved.RootHash);
    }

    private async Task<JsonElement> HealthAsync(int status)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBe(status);
        });
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
    }

    private async Task AsOwnerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
