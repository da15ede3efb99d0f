using System.Net;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>
/// Backups that verify: <c>backup</c> dumps the ledger with the digest of exactly what the dump holds; more is written;
/// <c>restore</c> puts the backup into a fresh database as the owner, with the guards and the runtime role's grants;
/// <c>verify --digest</c> then passes against the backup's digest and names what is missing against a later one.
/// Every step is a verb run as a process against a real PostgreSQL.
/// </summary>
public sealed class BackupAndRestore(ITestOutputHelper output)
{
    [Fact]
    public async Task a_backup_restored_into_a_fresh_database_verifies_against_its_digest_and_names_the_events_a_later_digest_has_that_it_lacks()
    {
        using var files = new ScratchFolder();
        await using var source = await TestDatabase.CreateAsync("backup");
        var owner = VerbSettings.Owner(source);
        await VerbSettings.SucceedsAsync(["import"], owner);
        var atBackup = await VerbSettings.EventCountAsync(source);

        var backup = files.File("ledger.backup");
        var made = await VerbSettings.SucceedsAsync(["backup", "--out", backup], owner);
        output.WriteLine(made.Output);
        made.Output.ShouldContain($"Backed up {atBackup:N0} events");
        made.Output.ShouldContain("pg_dump: "); // its progress, as plain lines (the output is redirected)
        made.Output.ShouldNotContain("\u001b[");
        new FileInfo(backup).Length.ShouldBeGreaterThan(0);
        File.Exists(backup + ".partial").ShouldBeFalse();
        var saved = VerbSettings.ReadJson(backup + ".digest.json");
        saved.GetProperty("treeSize").GetInt64().ShouldBe(atBackup);
        var savedLast = saved.GetProperty("lastSequence").GetInt64();

        // A second backup to the same file is refused: a backup is never overwritten.
        (await VerbSettings.FailsAsync(["backup", "--out", backup], owner)).Output.ShouldContain("never overwrites");

        // More is written after the backup, and a later digest covers it.
        await VerbSettings.SucceedsAsync(["import", files.Write("more.csv", VerbSettings.MatrixLines), "--meeting", "AST-2024"], owner);
        var laterPath = files.File("later.digest.json");
        await VerbSettings.SucceedsAsync(["digest", "--out", laterPath], VerbSettings.Runtime(source));
        var later = VerbSettings.ReadJson(laterPath);
        var laterSize = later.GetProperty("treeSize").GetInt64();
        var laterLast = later.GetProperty("lastSequence").GetInt64();
        laterSize.ShouldBe(await VerbSettings.EventCountAsync(source));
        laterSize.ShouldBeGreaterThan(atBackup);

        // Restored into a fresh database, as the owner; the host's own check then passes as the runtime role.
        await using var restored = await TestDatabase.CreateAsync("restored", applySchema: false);
        var restore = await VerbSettings.SucceedsAsync(["restore", "--from", backup], VerbSettings.Owner(restored));
        output.WriteLine(restore.Output);
        restore.Output.ShouldContain($"Restored {atBackup:N0} events");
        restore.Output.ShouldContain("Protection intact: ledger_app is the runtime role, holds exactly the runtime's privileges");
        (await VerbSettings.EventCountAsync(restored)).ShouldBe(atBackup);

        var intact = await VerbSettings.SucceedsAsync(["verify", "--digest", backup + ".digest.json"], VerbSettings.Runtime(restored));
        output.WriteLine(intact.Output);
        intact.Output.ShouldContain("Intact: every event matches its hash chain, and the ledger still contains exactly what the saved digest covered");

        var missing = await VerbSettings.FailsAsync(["verify", "--digest", laterPath], VerbSettings.Runtime(restored));
        output.WriteLine(missing.Output);
        var lacking = laterSize - atBackup;
        missing.Output.ShouldContain(
            $"DigestMismatch at sequence {savedLast + 1}: {lacking} event{(lacking == 1 ? " is" : "s are")} missing, from sequence {savedLast + 1} on: " +
            $"the saved digest covers {laterSize} events up to sequence {laterLast}; the ledger holds {atBackup}, up to sequence {savedLast}");

        // The protection came back with the data: the runtime role may not change a stored event, and a host serves as it.
        await using (var runtime = new NpgsqlConnection(restored.ConnectionString))
        {
            await runtime.OpenAsync();
            await using var update = new NpgsqlCommand("update ledger.mt_events set data = '{}' where seq_id = 1", runtime);
            (await Should.ThrowAsync<PostgresException>(() => update.ExecuteNonQueryAsync())).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        }

        await using var host = await LedgerProcess.StartAsync("restored", VerbSettings.Runtime(restored));
        await host.WaitForLogAsync("as ledger_app: two roles: ledger_app may append events"); // the start line: it serves as the runtime role
        using var client = host.CreateClient();
        (await client.GetAsync(new Uri("/api/commitments/AST-2024-06", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync(new Uri("/api/commitments/AST-2024-20", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task restore_refuses_a_database_that_already_holds_a_ledger_and_a_file_that_is_no_backup()
    {
        using var files = new ScratchFolder();
        await using var database = await TestDatabase.CreateAsync("norestore");
        var owner = VerbSettings.Owner(database);
        await VerbSettings.SucceedsAsync(["import"], owner);
        var held = await VerbSettings.EventCountAsync(database);
        var backup = files.File("ledger.backup");
        await VerbSettings.SucceedsAsync(["backup", "--out", backup], owner);

        var refused = await VerbSettings.FailsAsync(["restore", "--from", backup], owner);
        refused.Output.ShouldContain($"already holds {held:N0} events: restore into a fresh database");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(held);

        await using var fresh = await TestDatabase.CreateAsync("notabackup", applySchema: false);
        (await VerbSettings.FailsAsync(["restore", "--from", files.Write("not-a-backup", "hello")], VerbSettings.Owner(fresh)))
            .Output.ShouldContain("is not a backup pg_restore can read");
        (await VerbSettings.FailsAsync(["restore", "--from", files.File("absent")], VerbSettings.Owner(fresh)))
            .Output.ShouldContain("there is no file");
    }
}
