using System.Text.Json;
using JasperFx.CommandLine;
using Ledger.Domain.Audit;
using Ledger.Host.Audit.TreeHeads;
using Ledger.Host.CommandLine;
using Ledger.Host.Hosting;

namespace Ledger.Host.Audit;

public sealed class ExportInput : NetCoreInput
{
    [Description("jsonl (default) or csv")]
    [FlagAlias("format", 'f')]
    public string FormatFlag { get; set; } = "jsonl";

    [Description("Export only events after this global sequence number")]
    [FlagAlias("after", 'a')]
    public long AfterFlag { get; set; }

    [Description("The file to write")]
    [FlagAlias("out", 'o')]
    public string OutFlag { get; set; } = "ledger.jsonl";
}

[Description("Export the ledger in global order as JSON Lines or CSV, with progress", Name = "export")]
public sealed class ExportCommand : JasperFxAsyncCommand<ExportInput>
{
    public override async Task<bool> Execute(ExportInput input)
    {
        if (!LedgerEndpoints.TryParseFormat(input.FormatFlag, out var format))
        {
            return VerbOutput.Refuse("--format must be jsonl or csv");
        }

        using var host = input.BuildHost();
        var raw = host.Services.GetRequiredService<RawEvents>();
        var total = await VerbOutput.ProgressAsync("Exporting events", async progress =>
        {
            await using var file = File.Create(input.OutFlag);
            return await LedgerExport.WriteAsync(raw.ReadAsync(input.AfterFlag), format, file,
                VerbOutput.Counting(progress, "events"), CancellationToken.None);
        });
        VerbOutput.Line("Exported", "green", $"{total:N0} events to {input.OutFlag}.");
        return true;
    }
}

public sealed class DigestInput : NetCoreInput
{
    [Description("Also write the digest to this file (JSON), to verify against later")]
    [FlagAlias("out", 'o')]
    public string? OutFlag { get; set; }
}

[Description("Print the ledger's digest (Merkle tree size and root) to save and verify against later", Name = "digest")]
public sealed class DigestCommand : JasperFxAsyncCommand<DigestInput>
{
    public override async Task<bool> Execute(DigestInput input)
    {
        using var host = input.BuildHost();
        var digest = await host.Services.GetRequiredService<LedgerAudit>().DigestAsync(CancellationToken.None);
        var json = JsonSerializer.Serialize(digest, ApiJson.Options);
        if (input.OutFlag is not null)
        {
            await File.WriteAllTextAsync(input.OutFlag, json);
            VerbOutput.Line($"Digest written to {input.OutFlag}");
        }

        Console.WriteLine(json);
        return true;
    }
}

public sealed class VerifyInput : NetCoreInput
{
    [Description("A digest saved earlier (JSON from the digest verb or GET /api/ledger/digest): the ledger must still contain exactly what it covered")]
    [FlagAlias("digest", 'd')]
    public string? DigestFlag { get; set; }

    [Description("Verify a JSON Lines export instead of the database (offline: no database needed)")]
    [FlagAlias("export", 'e')]
    public string? ExportFlag { get; set; }

    [Description("Check an inclusion or consistency proof (JSON from /api/ledger/proofs/...) against the saved --digest, offline: no database needed")]
    [FlagAlias("proof", 'p')]
    public string? ProofFlag { get; set; }

    [Description("With an inclusion --proof: the event's chain hash (from its history), so the leaf is computed here instead of taken from the proof")]
    [FlagAlias("event-hash")]
    public string? EventHashFlag { get; set; }

    [Description("Check a signed tree head offline (no database): the note, a head from GET /api/ledger/tree-heads/latest, or a page of heads, each then checked against the one before")]
    [FlagAlias("tree-head")]
    public string? TreeHeadFlag { get; set; }

    [Description("With --tree-head: the ledger's public key(s), PEM (several PUBLIC KEY blocks across a key rotation)")]
    [FlagAlias("public-key")]
    public string? PublicKeyFlag { get; set; }

    [Description("With --tree-head: an earlier signed head the head must extend, proved by --proof (a consistency proof) or by the head's own proof from it")]
    [FlagAlias("previous")]
    public string? PreviousFlag { get; set; }
}

[Description("Recompute every hash chain and the Merkle root from the stored rows; name the first altered, removed, reordered or inserted event", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        if (input.TreeHeadFlag is not null)
        {
            return await TreeHeadCheck.RunAsync(input.TreeHeadFlag, input.PublicKeyFlag, input.PreviousFlag, input.ProofFlag);
        }

        LedgerDigest? saved = null;
        if (input.DigestFlag is not null)
        {
            saved = JsonSerializer.Deserialize<LedgerDigest>(await File.ReadAllTextAsync(input.DigestFlag), ApiJson.Options)
                    ?? throw new InvalidDataException($"{input.DigestFlag} holds no digest.");
        }

        if (input.ProofFlag is not null)
        {
            return await CheckProofAsync(input, saved);
        }

        var report = await VerbOutput.ProgressAsync("Verifying", async progress =>
        {
            var reportProgress = VerbOutput.Counting(progress, "events checked");
            if (input.ExportFlag is not null)
            {
                using var reader = File.OpenText(input.ExportFlag);
                var verification = new LedgerVerification(saved);
                await foreach (var row in LedgerExport.ReadJsonLines(reader))
                {
                    verification.Check(row);
                    if (verification.EventsChecked % 5000 == 0)
                    {
                        reportProgress.Report(verification.EventsChecked);
                    }
                }

                reportProgress.Report(verification.EventsChecked);
                return verification.Complete(DateTimeOffset.UtcNow);
            }

            using var host = input.BuildHost();
            return await host.Services.GetRequiredService<LedgerAudit>().VerifyAsync(saved, reportProgress, CancellationToken.None);
        });

        Report(report, saved, fromExport: input.ExportFlag is not null);
        return report.Intact;
    }

    /// <summary>Prints a verification's result: what was checked, then "Intact", or each finding with its sequence.</summary>
    internal static void Report(VerificationReport report, LedgerDigest? saved, bool fromExport = false)
    {
        VerbOutput.Line($"Checked {report.EventsChecked:N0} events in {report.Streams:N0} streams; tree size {report.Digest.TreeSize:N0}, root {report.Digest.RootHash}.");
        if (!fromExport)
        {
            VerbOutput.Line($"Compared {report.TreeLeavesCompared:N0} events with the leaves of the Merkle tree kept by the async daemon.");
        }

        if (report.Intact)
        {
            VerbOutput.Line("Intact:", "green", saved is null
                ? "every event matches its hash chain."
                : "every event matches its hash chain, and the ledger still contains exactly what the saved digest covered.");
            return;
        }

        foreach (var finding in report.Findings)
        {
            VerbOutput.Line(finding.Kind.ToString(), "red", $"at sequence {finding.Sequence}" +
                (finding.Stream.Length > 0 ? $" ({finding.Stream} v{finding.Version})" : string.Empty) + $": {finding.Detail}");
        }
    }

    /// <summary>Checks a proof file against the saved digest: no host, no database.</summary>
    private static async Task<bool> CheckProofAsync(VerifyInput input, LedgerDigest? saved)
    {
        if (saved is null)
        {
            return VerbOutput.Refuse("A proof is checked against a saved digest: give it with --digest FILE");
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(input.ProofFlag!));
        var verdict = document.RootElement.TryGetProperty("fromSize", out _)
            ? LedgerProofs.CheckConsistency(saved, document.RootElement.Deserialize<ConsistencyProof>(ApiJson.Options)!)
            : LedgerProofs.CheckInclusion(saved, document.RootElement.Deserialize<InclusionProof>(ApiJson.Options)!, input.EventHashFlag);
        VerbOutput.Line(verdict.Holds ? "Proved:" : "Not proved:", verdict.Holds ? "green" : "red", verdict.Explanation);
        return verdict.Holds;
    }
}
