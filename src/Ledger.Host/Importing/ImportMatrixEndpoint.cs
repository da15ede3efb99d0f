using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Pledging;
using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Host.Commitments.Pledging;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime.Text;
using Wolverine.Http;

namespace Ledger.Host.Importing;

/// <summary>A meeting's matrix as JSON: the meeting, and its lines as pledge bodies (their meeting may be left out).</summary>
public sealed record MatrixImportRequest(string? Meeting, IReadOnlyList<PledgeRequest>? Commitments);

/// <summary>What an import did: all lines are recorded, or (when any is refused) none.</summary>
public sealed record ImportResult(IReadOnlyList<string> Created, IReadOnlyList<string> AlreadyPresent, IReadOnlyList<RefusedLine> Refused);

public sealed record RefusedLine(string Entry, string? Code, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>
/// <c>POST /api/imports</c>: a matrix of commitments, as JSON (<c>application/json</c>) or CSV
/// (<c>text/csv</c>, with <c>?meeting=</c> unless a <c>meeting</c> column is given). Lines whose code
/// is already in the ledger are left alone, so importing the same matrix twice records nothing.
/// </summary>
public static class ImportMatrixEndpoint
{
    public const int MaxLines = 2000;

    /// <summary>The CSV columns; lists (leads, partners, countries, frameworks) are separated by semicolons.</summary>
    public static readonly string[] CsvColumns =
        ["code", "meeting", "title", "kind", "leads", "partners", "countries", "workingSession", "topic", "frameworks", "dueDate", "status"];

    [WolverinePost("/api/imports", OperationId = "importMatrix")]
    [Tags("Imports")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite(WriteBody.Import)]
    [Consumes(typeof(MatrixImportRequest), "application/json", "text/csv")]
    [ProducesResponseType<ImportResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status415UnsupportedMediaType)]
    public static async Task<IResult> Post(HttpContext http, CommitmentWriter writer, LedgerImporter importer, CancellationToken ct, string? meeting = null)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var (lines, problem) = mediaType switch
        {
            "application/json" => await ReadJsonAsync(http.Request, meeting, ct),
            "text/csv" => await ReadCsvAsync(http.Request, meeting, ct),
            _ => (null, Problems.UnsupportedMediaType("Send the matrix as application/json or text/csv.")),
        };
        if (lines is null)
        {
            return problem!;
        }

        if (lines.Count == 0)
        {
            return Problems.BadRequest("commitments", "the matrix has no lines");
        }

        return lines.Count > MaxLines
            ? Problems.BadRequest("commitments", $"a matrix may hold at most {MaxLines} lines")
            : await writer.ImportAsync(http, importer, lines, ct);
    }

    private static async Task<(IReadOnlyList<PledgeLine>?, IResult?)> ReadJsonAsync(HttpRequest request, string? meeting, CancellationToken ct)
    {
        MatrixImportRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<MatrixImportRequest>(request.Body, ApiJson.Options, ct);
        }
        catch (JsonException e)
        {
            return (null, Problems.UnreadableJson(e));
        }

        if (body?.Commitments is not { } items)
        {
            return (null, Problems.BadRequest("commitments", "is required"));
        }

        var defaultMeeting = body.Meeting ?? meeting;
        var lines = new List<PledgeLine>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var (command, problem) = items[i].ToCommand($"commitments[{i}].", defaultMeeting);
            if (command is null)
            {
                return (null, problem);
            }

            lines.Add(new PledgeLine($"commitments[{i}]", command));
        }

        return (lines, null);
    }

    private static async Task<(IReadOnlyList<PledgeLine>?, IResult?)> ReadCsvAsync(HttpRequest request, string? meeting, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        IReadOnlyList<(int Line, IReadOnlyList<string> Fields)> records;
        try
        {
            records = Csv.Read(await reader.ReadToEndAsync(ct));
        }
        catch (FormatException e)
        {
            return (null, Problems.BadRequest("body", e.Message));
        }

        if (records.Count == 0)
        {
            return (null, Problems.BadRequest("body", "the CSV is empty; its first line names the columns"));
        }

        var header = records[0].Fields.Select(f => f.Trim()).ToList();
        var unknown = header.Where(h => !CsvColumns.Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            return (null, Problems.BadRequest("header", $"unknown column(s) {string.Join(", ", unknown)}; the columns are {string.Join(", ", CsvColumns)}"));
        }

        var lines = new List<PledgeLine>(records.Count - 1);
        foreach (var (line, fields) in records.Skip(1))
        {
            string? Field(string name)
            {
                var index = header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
                return index >= 0 && index < fields.Count && fields[index].Trim() is { Length: > 0 } value ? value : null;
            }

            List<string>? List(string name) =>
                Field(name)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

            var label = $"line {line.ToString(CultureInfo.InvariantCulture)}";
            if (fields.Count != header.Count)
            {
                return (null, Problems.BadRequest(label, $"has {fields.Count} fields; the header names {header.Count}"));
            }

            if (!ApiNames.TryParse<CommitmentKind>(Field("kind"), out var kind))
            {
                return (null, Problems.BadRequest(label + ".kind", "must be one of coordination, mechanism, agreement, programme, call, matrix-line"));
            }

            var status = CommitmentStatus.Agreed;
            if (Field("status") is { } statusText && !ApiNames.TryParse(statusText, out status))
            {
                return (null, Problems.BadRequest(label + ".status", "must be proposed, agreed or in-progress"));
            }

            int? session = null;
            if (Field("workingSession") is { } sessionText)
            {
                if (!int.TryParse(sessionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    return (null, Problems.BadRequest(label + ".workingSession", "must be a number"));
                }

                session = number;
            }

            NodaTime.LocalDate? due = null;
            if (Field("dueDate") is { } dueText)
            {
                var parsed = LocalDatePattern.Iso.Parse(dueText);
                if (!parsed.Success)
                {
                    return (null, Problems.BadRequest(label + ".dueDate", "must be a date like 2026-07-01"));
                }

                due = parsed.Value;
            }

            var pledge = new PledgeRequest(
                Field("code"), Field("meeting"), Field("title"), kind, List("leads"), List("partners"), List("countries"), session,
                Field("topic"), List("frameworks"), due, status);
            var (command, problem) = pledge.ToCommand(label + ".", meeting);
            if (command is null)
            {
                return (null, problem);
            }

            lines.Add(new PledgeLine(label, command));
        }

        return (lines, null);
    }
}
