using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;

namespace Ledger.Host.Importing;

/// <summary>What the HTTP import answered for a file: its status, and its report or problem as JSON.</summary>
public sealed record MatrixImportAnswer(int StatusCode, JsonElement Body)
{
    public bool Imported => StatusCode == StatusCodes.Status200OK;

    public IReadOnlyList<string> Strings(string property) =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(e => e.GetString() ?? string.Empty)]
            : [];
}

/// <summary>
/// A matrix file (CSV or JSON), imported by <c>POST /api/imports</c> itself: the command line hands the file to the
/// endpoint as the request it would receive from the secretariat, so the file is read, checked and recorded (all
/// lines or none, lines already in the ledger left alone) by the very code the HTTP import runs, and the answer is its report.
/// </summary>
public static class MatrixFileImport
{
    /// <summary>
    /// Whether <paramref name="path"/> is a matrix rather than a meetings' data file: a CSV, or a JSON object without
    /// the data file's <c>meetings</c>.
    /// </summary>
    public static async Task<bool> IsMatrixAsync(string path, CancellationToken ct)
    {
        if (string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            await using var file = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(file, cancellationToken: ct);
            return document.RootElement.ValueKind == JsonValueKind.Object && !document.RootElement.TryGetProperty("meetings", out _);
        }
        catch (JsonException)
        {
            // Not JSON: the meetings' data reader says so, with the position.
            return false;
        }
    }

    public static async Task<MatrixImportAnswer> ImportAsync(IServiceProvider services, string path, string? meeting, string user, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await using var body = File.OpenRead(path);
        using var answer = new MemoryStream();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = "/api/imports";
        http.Request.ContentType = string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/json";
        http.Request.Body = body;
        http.Response.Body = answer;
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(LedgerClaims.Subject, user), new Claim(LedgerClaims.Role, LedgerRoles.Secretariat)], "command-line", LedgerClaims.Subject, LedgerClaims.Role));
        http.Features.Set(new RequestIds(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString(), null));

        var result = await ImportMatrixEndpoint.Post(
            http, scope.ServiceProvider.GetRequiredService<CommitmentWriter>(), scope.ServiceProvider.GetRequiredService<LedgerImporter>(), ct, meeting);
        await result.ExecuteAsync(http);
        answer.Position = 0;
        using var document = answer.Length == 0 ? JsonDocument.Parse("{}") : await JsonDocument.ParseAsync(answer, cancellationToken: ct);
        return new MatrixImportAnswer(http.Response.StatusCode, document.RootElement.Clone());
    }
}
