using System.Globalization;
using System.Text.Json;
using JasperFx.CommandLine;
using Ledger.Domain.Common;
using Ledger.Host.CommandLine;
using Ledger.Host.DatabaseRoles;

namespace Ledger.Host.Importing;

public sealed class ImportInput : NetCoreInput
{
    [Description("A meeting's matrix (CSV or JSON, as POST /api/imports takes it) or a meetings' data file (JSON, same shape as data/unoic-2022-2024.json); the shipped data when omitted")]
    public string? File { get; set; }

    [Description("The meeting of a CSV matrix's lines when it has no meeting column (as ?meeting= of POST /api/imports)")]
    [FlagAlias("meeting", 'm')]
    public string? MeetingFlag { get; set; }
}

[Description("Import a meeting's matrix or meetings' data into the ledger (all or nothing; idempotent: importing again records nothing)", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public ImportCommand()
    {
        Usage("Import the shipped meetings' data");
        Usage("Import a matrix (CSV or JSON) or a meetings' data file").Arguments(x => x.File!);
    }

    public override async Task<bool> Execute(ImportInput input)
    {
        if (input.File is not null && !System.IO.File.Exists(input.File))
        {
            return VerbOutput.Refuse($"there is no file {Path.GetFullPath(input.File)}");
        }

        using var host = input.BuildHost();

        // The verb may run before the host ever served: as the owner (or a single role) it applies the schema and its
        // protection first; as the runtime role it checks them.
        await host.Services.GetRequiredService<SchemaStep>().PrepareAsync(CancellationToken.None);
        if (input.File is not null && await MatrixFileImport.IsMatrixAsync(input.File, CancellationToken.None))
        {
            var answer = await VerbOutput.ProgressAsync($"Importing {input.File}", _ =>
                MatrixFileImport.ImportAsync(host.Services, input.File, input.MeetingFlag, Environment.UserName, CancellationToken.None));
            return ReportMatrix(answer);
        }

        var importer = host.Services.GetRequiredService<LedgerImporter>();
        var data = input.File is null
            ? await MeetingsDataFile.LoadShippedAsync()
            : await MeetingsDataFile.LoadAsync(input.File);

        var report = await VerbOutput.ProgressAsync("Importing the meetings' data", progress =>
            importer.ImportAsync(data, Actor.Importer(Environment.UserName), progress));

        foreach (var refused in report.Refused)
        {
            VerbOutput.Line("refused", "red", $"{refused.Key}: " + string.Join("; ", refused.Reasons.Select(r => $"{r.Field} {r.Reason}")));
        }

        if (report.Refused.Count > 0)
        {
            return VerbOutput.Refuse($"nothing imported: {report.Refused.Count} entries were refused");
        }

        VerbOutput.Line("Imported", "green", $"{report.Created.Count} streams ({report.EventCount} events); {report.AlreadyPresent.Count} were already present.");
        return true;
    }

    /// <summary>The HTTP import's report, as lines: what was recorded and what was already there, or each refused line and why.</summary>
    private static bool ReportMatrix(MatrixImportAnswer answer)
    {
        var created = answer.Strings("created");
        var present = answer.Strings("alreadyPresent");
        if (answer.Imported)
        {
            if (created.Count == 0)
            {
                VerbOutput.Line("Nothing to import:", "green", present.Count == 1
                    ? "the matrix's one commitment is already in the ledger."
                    : $"all {present.Count} commitments of the matrix are already in the ledger.");
                return true;
            }

            VerbOutput.Line("Imported", "green", string.Create(CultureInfo.InvariantCulture,
                $"{created.Count} commitment{(created.Count == 1 ? string.Empty : "s")} ({string.Join(", ", created)}); {present.Count} already in the ledger."));
            return true;
        }

        var body = answer.Body;
        if (body.TryGetProperty("refused", out var refused) && refused.ValueKind == JsonValueKind.Array)
        {
            foreach (var line in refused.EnumerateArray())
            {
                var entry = line.GetProperty("entry").GetString();
                var code = line.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? $" ({c.GetString()})" : string.Empty;
                VerbOutput.Line("refused", "red", $"{entry}{code}: {Errors(line.GetProperty("errors"))}");
            }
        }

        var detail = body.TryGetProperty("detail", out var d) ? d.GetString() : null;
        var title = body.TryGetProperty("title", out var t) ? t.GetString() : null;
        return VerbOutput.Refuse(string.Create(CultureInfo.InvariantCulture,
            $"nothing imported ({answer.StatusCode} {title}): {detail ?? "the matrix was refused"}"));
    }

    private static string Errors(JsonElement errors) => string.Join("; ", errors.EnumerateObject()
        .Select(e => $"{e.Name} {string.Join(", ", e.Value.EnumerateArray().Select(r => r.GetString()))}"));
}
