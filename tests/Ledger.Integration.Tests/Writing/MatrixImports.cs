using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

public sealed class MatrixImports(LedgerFixture fixture) : WriteTest(fixture)
{
    private const string Csv = """
        code,title,kind,leads,partners,countries,workingSession,topic,dueDate
        AST-2024-20,"Water security, Central Asia",programme,IOFS;FAO,UN,KAZ;TJK,2,Water issues,2026-12-31
        AST-2024-21,"Vocational training for ""green"" jobs",programme,IOFS,,,2,Technical and vocational training,
        AST-2024-06,Already in the ledger,agreement,IOFS;FAO,,,,,
        """;

    [Fact]
    public async Task a_csv_matrix_is_imported_whole_and_importing_it_again_records_nothing()
    {
        var first = await Host.PostAsync("/api/imports?meeting=AST-2024", Csv, Secretariat, contentType: "text/csv");

        first.Status.ShouldBe(200, first.Body);
        first.Json.GetProperty("created").EnumerateArray().Select(e => e.GetString()).ShouldBe(["AST-2024-20", "AST-2024-21"]);
        first.Json.GetProperty("alreadyPresent").EnumerateArray().Select(e => e.GetString()).ShouldBe(["AST-2024-06"]);
        (await Host.EventCountAsync()).ShouldBe(54);
        var water = await Host.GetJsonAsync<CommitmentView>("/api/commitments/AST-2024-20");
        water.Title.ShouldBe("Water security, Central Asia");
        water.Leads.ShouldBe(["IOFS", "FAO"]);
        water.Countries.ShouldBe(["KAZ", "TJK"]);
        water.DueDate.ShouldBe(new NodaTime.LocalDate(2026, 12, 31));
        (await Host.GetJsonAsync<CommitmentView>("/api/commitments/AST-2024-21")).Title.ShouldBe("Vocational training for \"green\" jobs");

        var again = await Host.PostAsync("/api/imports?meeting=AST-2024", Csv, Secretariat, contentType: "text/csv");

        again.Status.ShouldBe(200, again.Body);
        again.Json.GetProperty("created").GetArrayLength().ShouldBe(0);
        again.Json.GetProperty("alreadyPresent").GetArrayLength().ShouldBe(3);
        (await Host.EventCountAsync()).ShouldBe(54);
    }

    [Fact]
    public async Task one_refused_line_refuses_the_whole_matrix_with_a_report()
    {
        var response = await Host.PostAsync("/api/imports", new
        {
            meeting = "AST-2024",
            commitments = new object[]
            {
                new { code = "AST-2024-30", title = "Fine line", kind = "matrix-line", leads = new[] { "UN", "OIC" } },
                new { code = "AST-2024-31", title = "Unknown lead", kind = "matrix-line", leads = new[] { "WHO" } },
            },
        }, Secretariat);

        var problem = response.ShouldBeProblem(422);
        var refused = problem.GetProperty("refused");
        refused.GetArrayLength().ShouldBe(1);
        refused[0].GetProperty("entry").GetString().ShouldBe("commitments[1]");
        refused[0].GetProperty("errors").TryGetProperty("leads[0]", out _).ShouldBeTrue();
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [InlineData("code,title,colour\nAST-2024-40,x,red", "colour")]
    [InlineData("code,title,kind,leads\nAST-2024-40,\"unclosed,call,IOFS", "not closed")]
    [InlineData("code,title,kind,leads\nAST-2024-40,x,pamphlet,IOFS", "kind")]
    public async Task a_malformed_csv_is_a_400_naming_the_problem(string csv, string mentions)
    {
        var response = await Host.PostAsync("/api/imports?meeting=AST-2024", csv, Secretariat, contentType: "text/csv");

        response.ShouldBeProblem(400).ToString().ShouldContain(mentions);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task another_media_type_is_415()
    {
        var response = await Host.PostAsync("/api/imports", "<matrix/>", Secretariat, contentType: "application/xml");

        response.ShouldBeProblem(415);
    }
}
