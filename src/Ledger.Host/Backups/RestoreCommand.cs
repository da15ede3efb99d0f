using System.Globalization;
using System.Text.RegularExpressions;
using JasperFx.CommandLine;
using Ledger.Host.CommandLine;
using Ledger.Host.DatabaseRoles;
using Ledger.Projections;
using Npgsql;

namespace Ledger.Host.Backups;

public sealed class RestoreInput : NetCoreInput
{
    [Description("The backup to restore (a file written by backup, or by pg_dump -Fc)")]
    [FlagAlias("from", 'f')]
    public string FromFlag { get; set; } = string.Empty;

    [Description("The folder of the PostgreSQL client tools (pg_restore); by default those of the server's version")]
    [FlagAlias("pg-bin")]
    public string? PgBinFlag { get; set; }
}

/// <summary>
/// <c>restore --from FILE</c>: a backup restored by <c>pg_restore</c>, in one transaction, as the owner
/// (<c>ConnectionStrings:LedgerOwner</c>) into the fresh database the connection strings name; the dump brings the
/// schema, the guard triggers and the runtime role's grants with the data. Then the check a host runs at start, as the
/// runtime role (<c>ConnectionStrings:Ledger</c>): schema up to date, every guard enabled, exactly the runtime's
/// privileges. A database that already holds events is refused: a restore never mixes two ledgers.
/// </summary>
[Description("Restore a backup into a fresh database as the owner, then check its protection as the runtime role", Name = "restore")]
public sealed partial class RestoreCommand : JasperFxAsyncCommand<RestoreInput>
{
    public override async Task<bool> Execute(RestoreInput input)
    {
        var backup = Path.GetFullPath(string.IsNullOrWhiteSpace(input.FromFlag) ? "." : input.FromFlag);
        if (string.IsNullOrWhiteSpace(input.FromFlag) || !File.Exists(backup))
        {
            return VerbOutput.Refuse($"give the backup with --from FILE{(string.IsNullOrWhiteSpace(input.FromFlag) ? string.Empty : $"; there is no file {backup}")}");
        }

        using var host = input.BuildHost();
        var connections = host.Services.GetRequiredService<LedgerConnections>();

        // The owner restores (it will own what the dump creates); with one role, that role.
        var owner = connections.Owner ?? connections.Runtime;
        if (await EventsInAsync(owner) is { } held and > 0)
        {
            return VerbOutput.Refuse(string.Create(CultureInfo.InvariantCulture,
                $"the {PostgresTools.Describe(owner)} already holds {held:N0} events: restore into a fresh database (docs/operations.md, \"Backups\")"));
        }

        // The schemas the dump creates; a fresh database may hold them empty (a schema step ran): they go first.
        var schemas = await SchemasInDumpAsync(backup, owner, input.PgBinFlag);
        if (schemas.Count == 0)
        {
            return VerbOutput.Refuse($"{backup} is not a backup pg_restore can read");
        }

        await DropEmptySchemasAsync(owner, schemas);
        VerbOutput.Line($"Restoring {backup} into the {PostgresTools.Describe(owner)}.");
        var run = await VerbOutput.ProgressAsync("pg_restore", progress => PostgresTools.RunAsync(
            "pg_restore", ["--single-transaction", "--exit-on-error", "--no-owner", "--verbose", $"--dbname={new NpgsqlConnectionStringBuilder(owner).Database}", backup],
            owner, input.PgBinFlag, line => progress.Report(line.StartsWith("pg_restore: ", StringComparison.Ordinal) ? line[12..] : line),
            CancellationToken.None));
        if (!run.Succeeded)
        {
            VerbOutput.Line(run.Tail);
            return VerbOutput.Refuse($"pg_restore failed with exit code {run.ExitCode}; nothing was restored (one transaction)");
        }

        var restored = await EventsInAsync(owner) ?? 0;
        VerbOutput.Line("Restored", "green", string.Create(CultureInfo.InvariantCulture, $"{restored:N0} events."));

        // The host's own check, as the runtime role: it refuses a schema, a protection or privileges that are not as they should be.
        try
        {
            var situation = await host.Services.GetRequiredService<SchemaStep>().PrepareAsync(CancellationToken.None);
            VerbOutput.Line("Protection intact:", "green", situation.Mode == RoleMode.Runtime
                ? $"{situation.Role} is the runtime role, holds exactly the runtime's privileges, and every guard trigger ({situation.Guards.Count}) is enabled."
                : $"{situation.Role} ({situation.Mode}) applied and checked the schema; guarantees that do not hold: {string.Join("; ", situation.NotHolding)}.");
        }
        catch (InvalidOperationException e)
        {
            return VerbOutput.Refuse($"the restored database is not ready for the runtime role: {e.Message}");
        }

        VerbOutput.Line($"Check what it holds with: verify --digest <the backup's FILE.digest.json>");
        return true;
    }

    /// <summary>How many events the database holds; null when it has no ledger yet.</summary>
    private static async Task<long?> EventsInAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select to_regclass('{LedgerStore.Schema}.{LedgerProtection.EventsTable}') is not null", connection);
        if (!(bool)(await command.ExecuteScalarAsync())!)
        {
            return null;
        }

        command.CommandText = $"select count(*) from {LedgerStore.Schema}.{LedgerProtection.EventsTable}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<IReadOnlyList<string>> SchemasInDumpAsync(string backup, string connectionString, string? bin)
    {
        var schemas = new List<string>();
        var path = Path.GetTempFileName();
        try
        {
            var run = await PostgresTools.RunAsync("pg_restore", ["--list", $"--file={path}", backup], connectionString, bin, _ => { }, CancellationToken.None);
            if (!run.Succeeded)
            {
                return schemas;
            }

            foreach (var line in await File.ReadAllLinesAsync(path))
            {
                // Never public: every database has it, and a dump only ever adds to it.
                if (SchemaEntry().Match(line) is { Success: true } match && match.Groups["name"].Value != "public")
                {
                    schemas.Add(match.Groups["name"].Value);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }

        return schemas;
    }

    private static async Task DropEmptySchemasAsync(string connectionString, IReadOnlyList<string> schemas)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var schema in schemas)
        {
            await using var drop = new NpgsqlCommand($"drop schema if exists \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\" cascade", connection, transaction);
            await drop.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>A schema in pg_restore's table of contents: <c>5; 2615 16386 SCHEMA - ledger ledger_owner</c>.</summary>
    [GeneratedRegex(@"^\d+;\s+\d+\s+\d+\s+SCHEMA\s+-\s+(?<name>\S+)\s", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaEntry();
}
