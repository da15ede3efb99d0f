using System.Globalization;
using System.Text.Json;
using JasperFx.CommandLine;
using Ledger.Host.Audit;
using Ledger.Host.CommandLine;
using Ledger.Host.DatabaseRoles;
using Ledger.Host.Hosting;
using Marten;

namespace Ledger.Host.Backups;

public sealed class BackupInput : NetCoreInput
{
    [Description("The backup file to write (pg_dump's custom format); the digest it covers is written beside it, as FILE.digest.json")]
    [FlagAlias("out", 'o')]
    public string OutFlag { get; set; } = string.Empty;

    [Description("The folder of the PostgreSQL client tools (pg_dump); by default those of the server's version")]
    [FlagAlias("pg-bin")]
    public string? PgBinFlag { get; set; }
}

/// <summary>
/// <c>backup --out FILE</c>: the ledger's database, dumped by <c>pg_dump -Fc</c> in the very snapshot its digest is
/// computed in (an exported snapshot, held open while pg_dump runs), so <c>FILE.digest.json</c> says exactly what
/// the backup contains: a restore verifies against it with <c>verify --digest FILE.digest.json</c>.
/// </summary>
[Description("Back up the ledger's database (pg_dump -Fc) with the digest of exactly what it contains", Name = "backup")]
public sealed class BackupCommand : JasperFxAsyncCommand<BackupInput>
{
    /// <summary>Where the digest a backup covers is written: beside the backup.</summary>
    public static string DigestPath(string backup) => backup + ".digest.json";

    public override async Task<bool> Execute(BackupInput input)
    {
        if (string.IsNullOrWhiteSpace(input.OutFlag))
        {
            return VerbOutput.Refuse("give the backup file with --out FILE");
        }

        var target = Path.GetFullPath(input.OutFlag);
        if (File.Exists(target))
        {
            return VerbOutput.Refuse($"{target} exists: a backup never overwrites another; choose a new file");
        }

        using var host = input.BuildHost();
        var connections = host.Services.GetRequiredService<LedgerConnections>();
        var partial = target + ".partial";
        File.Delete(partial);

        // One snapshot for both: the digest is computed in it, and pg_dump reads it while this view stays open.
        await using var tree = await LedgerTreeView.OpenAsync(host.Services.GetRequiredService<IDocumentStore>(), CancellationToken.None);
        var digest = await host.Services.GetRequiredService<LedgerAudit>().DigestAsync(tree, CancellationToken.None);
        var snapshot = await tree.ExportSnapshotAsync(CancellationToken.None);
        VerbOutput.Line(string.Create(CultureInfo.InvariantCulture,
            $"Backing up {PostgresTools.Describe(connections.Store)}: {digest.TreeSize:N0} events, up to sequence {digest.LastSequence}."));

        var run = await VerbOutput.ProgressAsync("pg_dump", progress => PostgresTools.RunAsync(
            "pg_dump", ["--format=custom", $"--snapshot={snapshot}", "--verbose", $"--file={partial}"],
            connections.Store, input.PgBinFlag, line => progress.Report(line.StartsWith("pg_dump: ", StringComparison.Ordinal) ? line[9..] : line),
            CancellationToken.None));
        if (!run.Succeeded)
        {
            File.Delete(partial);
            VerbOutput.Line(run.Tail);
            return VerbOutput.Refuse($"pg_dump failed with exit code {run.ExitCode}; no backup was written");
        }

        File.Move(partial, target);
        await File.WriteAllTextAsync(DigestPath(target), JsonSerializer.Serialize(digest, ApiJson.Options));
        VerbOutput.Line("Backed up", "green", string.Create(CultureInfo.InvariantCulture,
            $"{digest.TreeSize:N0} events (root {digest.RootHash}) to {target} ({new FileInfo(target).Length:N0} bytes); its digest is in {DigestPath(target)}."));
        VerbOutput.Line($"After a restore, check it with: verify --digest {DigestPath(target)}");
        return true;
    }
}
