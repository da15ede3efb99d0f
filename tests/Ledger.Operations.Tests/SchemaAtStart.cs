using System.Net;
using System.Text.Json;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Operations.Tests;

/// <summary>
/// What a host does at start, decided from the database itself: a runtime role refuses a database that is not
/// ready for it; a single role that owns the schema applies it (as the ledger always did) and says which guarantees
/// then do not hold; processes starting together on a fresh database take turns on the schema (advisory lock).
/// Each test has a database of its own, and every host is a real process.
/// </summary>
public sealed class SchemaAtStart(ITestOutputHelper output)
{
    /// <summary>The key the hosts sign tokens with (base64 of 32 bytes; for tests only).</summary>
    private const string SigningKey = "dGVzdC1vbmx5LXNpZ25pbmcta2V5LTMyLWJ5dGVzISE=";

    [Fact]
    public async Task a_runtime_host_refuses_a_missing_or_outdated_schema_and_a_disabled_protection_then_starts_once_db_apply_ran()
    {
        await using var database = await TestDatabase.CreateAsync("refuse", applySchema: false);
        var settings = Settings(database.ConnectionString);

        var missing = await RefusedStartAsync(settings);
        missing.ShouldContain("not ready for the runtime role");
        missing.ShouldContain("the schema ledger does not exist");
        missing.ShouldContain("Run `db-apply` with ConnectionStrings:LedgerOwner");

        await database.ApplySchemaAsync();
        await OwnerAsync(database, "alter table ledger.mt_events disable trigger ledger_events_immutable");
        (await RefusedStartAsync(settings)).ShouldContain("the protection trigger mt_events.ledger_events_immutable is disabled");

        await OwnerAsync(database, "alter table ledger.mt_events enable trigger ledger_events_immutable; drop table ledger.mt_doc_reviewqueueview cascade");
        (await RefusedStartAsync(settings)).ShouldContain("ledger.mt_doc_reviewqueueview (create)");

        await database.ApplySchemaAsync();
        await using var host = await LedgerProcess.StartAsync("refuse-then-serve", settings);
        await host.WaitForLogAsync("as ledger_app: two roles: ledger_app may append events"); // the start line
        (await NoDdlRights(database)).ShouldBeTrue();
    }

    [Fact]
    public async Task two_db_apply_processes_started_at_once_on_a_fresh_database_take_turns_and_both_succeed()
    {
        await using var database = await TestDatabase.CreateAsync("apply2", applySchema: false);

        var runs = await Task.WhenAll(
            LedgerVerb.RunAsync(["db-apply"], database.OwnerSettings),
            LedgerVerb.RunAsync(["db-apply"], database.OwnerSettings));

        foreach (var run in runs)
        {
            output.WriteLine(run.Output);
            run.ExitCode.ShouldBe(0, run.Output);
            run.Output.ShouldContain("Protection installed");
        }

        // One of them applied everything; the other waited for the lock and found nothing left to do.
        runs.Count(r => r.Output.Contains("0 unchanged, 2 migrated", StringComparison.Ordinal)).ShouldBe(1);
        runs.Count(r => r.Output.Contains("2 unchanged, 0 migrated", StringComparison.Ordinal)).ShouldBe(1);
        (await NoDdlRights(database)).ShouldBeTrue();
    }

    [Fact]
    public async Task single_role_hosts_starting_at_once_on_a_fresh_database_apply_the_schema_in_turn_and_say_what_does_not_hold()
    {
        await using var database = await TestDatabase.CreateSingleRoleAsync("single");
        var settings = Settings(database.ConnectionString);

        var hosts = await Task.WhenAll(LedgerProcess.StartAsync("single-a", settings), LedgerProcess.StartAsync("single-b", settings));
        try
        {
            foreach (var host in hosts)
            {
                var log = host.ReadLog();
                output.WriteLine(log);
                // One warning at start, naming what the single role could do.
                CountOf(log, "SchemaStep[3001]").ShouldBe(1);
                log.ShouldContain("which may change its schema: it applied the schema itself");
                log.ShouldContain("may disable the protection triggers");

                using var client = host.CreateClient();
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                var protection = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("protection");
                protection.GetProperty("status").GetString().ShouldBe("degraded");
                protection.GetProperty("data").GetProperty("mode").GetString().ShouldBe("single-role");
                protection.GetProperty("description").GetString()!.ShouldContain("guarantees that do not hold");
                protection.GetProperty("data").GetProperty("protection").EnumerateObject().ShouldAllBe(p => p.Value.GetString() == "enabled");
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        var describe = await LedgerVerb.RunAsync(["describe"], settings);
        describe.ExitCode.ShouldBe(0, describe.Output);
        describe.Output.ShouldContain("Ledger database roles");
        describe.Output.ShouldContain("single-role");
        describe.Output.ShouldContain("Guarantees that do not hold");
        describe.Output.ShouldContain("may disable the protection triggers");
    }

    private static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["ConnectionStrings:Ledger"] = connectionString,
        ["Ledger:Auth:SigningKey"] = SigningKey,
    };

    /// <summary>Starts a host that must refuse to start: it exits, and what it logged is returned.</summary>
    private static async Task<string> RefusedStartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var refused = await Should.ThrowAsync<InvalidOperationException>(async () => await (await LedgerProcess.StartAsync("refused", settings)).DisposeAsync());
        refused.Message.ShouldContain("the host exited with code");
        return refused.Message;
    }

    /// <summary>The runtime role may create nothing in the schema and owns nothing in it.</summary>
    private static async Task<bool> NoDdlRights(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select not has_schema_privilege('ledger', 'CREATE') and not exists (" +
            "select 1 from pg_class c where c.relnamespace = 'ledger'::regnamespace and pg_has_role(c.relowner, 'USAGE'))", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task OwnerAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
