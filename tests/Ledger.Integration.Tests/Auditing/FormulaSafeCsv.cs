using System.Text.Json;
using Alba;
using Ledger.Host.Importing;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Ledger.Integration.Tests.Writing;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>No cell of a CSV export starts a spreadsheet formula; the JSON Lines export keeps every value exactly.</summary>
public sealed class FormulaSafeCsv(LedgerFixture fixture) : WriteTest(fixture)
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("=HYPERLINK(\"http://example.org\",\"open\")", "\"'=HYPERLINK(\"\"http://example.org\"\",\"\"open\"\")\"")]
    [InlineData("=A1,B1", "\"'=A1,B1\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void A_cell_that_would_start_a_formula_is_prefixed_with_a_quote(string value, string cell)
    {
        Csv.Field(value).ShouldBe(cell);
    }

    [Fact]
    public async Task caller_chosen_values_reach_the_csv_export_as_text_and_the_json_lines_export_exactly()
    {
        var reference = "=HYPERLINK(\"http://example.org\",\"open\")";
        var key = "@SUM(1+1)";
        var user = "-2+3";
        var write = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "on-track", decision = "continue", remarks = "=1+1 is the remark" },
            Host.TokenFor(LedgerRoles.Secretariat, user: user),
            new Dictionary<string, string> { ["X-Correlation-Id"] = reference, ["Idempotency-Key"] = key });
        write.Status.ShouldBe(200, write.Body);

        var csv = Csv.Read(await ExportAsync("csv"));
        var header = csv[0].Fields.ToList();
        foreach (var (_, fields) in csv)
        {
            fields.ShouldAllBe(f => f.Length == 0 || !"=+-@\t\r".Contains(f[0]), string.Join(" | ", fields));
        }

        var row = csv[^1].Fields;
        row[header.IndexOf("callerReference")].ShouldBe("'" + reference);
        row[header.IndexOf("idempotencyKey")].ShouldBe("'" + key);
        row[header.IndexOf("user")].ShouldBe("'" + user);

        var last = JsonDocument.Parse((await ExportAsync("jsonl")).TrimEnd('\n').Split('\n')[^1]).RootElement;
        last.GetProperty("callerReference").GetString().ShouldBe(reference);
        last.GetProperty("idempotencyKey").GetString().ShouldBe(key);
        last.GetProperty("user").GetString().ShouldBe(user);
        last.GetProperty("data").GetProperty("remarks").GetString().ShouldBe("=1+1 is the remark");
    }

    private async Task<string> ExportAsync(string format)
    {
        var export = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/ledger/export?format={format}");
            s.WithRequestHeader("Authorization", "Bearer " + Auditor);
        });
        return await export.ReadAsTextAsync();
    }
}
