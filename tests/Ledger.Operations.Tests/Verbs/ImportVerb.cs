using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>
/// <c>import FILE</c> takes what <c>POST /api/imports</c> takes (a matrix as CSV or JSON) with the same report: every
/// line recorded or, when one is refused, none and each refusal by line; lines already in the ledger are left alone,
/// so a second run imports nothing and says so. A meetings' data file is imported as before.
/// </summary>
public sealed class ImportVerb(ITestOutputHelper output)
{
    private const string RefusedLines = """
        code,meeting,title,kind,leads
        AST-2024-30,AST-2024,Fine line,matrix-line,UN;OIC
        AST-2024-31,AST-2024,Unknown lead,matrix-line,WHO
        AST-2024-32,AST-2024,Unknown kind,pamphlet,UN
        """;

    private const string JsonMatrix = """
        {
          "meeting": "AST-2024",
          "commitments": [
            { "code": "AST-2024-40", "title": "Joint statistics working group", "kind": "mechanism", "leads": ["OIC", "UN"] },
            { "code": "ast-2024-41", "title": "Youth exchange", "kind": "programme", "leads": ["IOFS"], "countries": ["kaz"] }
          ]
        }
        """;

    [Fact]
    public async Task a_matrix_csv_is_imported_once_and_a_second_run_imports_nothing_and_says_so()
    {
        using var files = new ScratchFolder();
        await using var database = await TestDatabase.CreateAsync("import");
        var owner = VerbSettings.Owner(database);
        var shipped = await VerbSettings.SucceedsAsync(["import"], owner);
        shipped.Output.ShouldContain("Imported ");
        var before = await VerbSettings.EventCountAsync(database);
        var matrix = files.Write("matrix.csv", VerbSettings.MatrixLines + "\nAST-2024-06,Already in the ledger,agreement,IOFS;FAO,,,,,\n");

        var first = await VerbSettings.SucceedsAsync(["import", matrix, "--meeting", "AST-2024"], owner);
        output.WriteLine(first.Output);
        first.Output.ShouldContain("Imported 2 commitments (AST-2024-20, AST-2024-21); 1 already in the ledger.");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(before + 2);
        (await VerbSettings.ScalarAsync(database.OwnerConnectionString, "select count(*) from ledger.mt_streams where id in ('AST-2024-20', 'AST-2024-21')")).ShouldBe(2);

        var again = await VerbSettings.SucceedsAsync(["import", matrix, "--meeting", "AST-2024"], owner);
        output.WriteLine(again.Output);
        again.Output.ShouldContain("Nothing to import: all 3 commitments of the matrix are already in the ledger.");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(before + 2);

        // The events record who imported and how, as the HTTP import's do.
        (await VerbSettings.ScalarAsync(database.OwnerConnectionString,
            "select count(*) from ledger.mt_events where stream_id = 'AST-2024-20' and headers->>'request' = 'POST /api/imports' and correlation_id ~ '^[0-9a-f]{32}$'")).ShouldBe(1);
    }

    [Fact]
    public async Task a_matrix_with_a_refused_line_imports_nothing_and_names_each_refused_line()
    {
        using var files = new ScratchFolder();
        await using var database = await TestDatabase.CreateAsync("importno");
        var owner = VerbSettings.Owner(database);
        await VerbSettings.SucceedsAsync(["import"], owner);
        var before = await VerbSettings.EventCountAsync(database);

        var refused = await VerbSettings.FailsAsync(["import", files.Write("refused.csv", RefusedLines)], owner);
        output.WriteLine(refused.Output);
        refused.Output.ShouldContain("Refused: nothing imported (400 The request is invalid): line 4.kind must be one of");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(before);

        var unknownLead = await VerbSettings.FailsAsync(["import", files.Write("lead.csv", string.Join('\n', RefusedLines.Split('\n')[..3]))], owner);
        output.WriteLine(unknownLead.Output);
        unknownLead.Output.ShouldContain("refused line 3 (AST-2024-31): leads[0] ");
        unknownLead.Output.ShouldContain("1 of 2 lines were refused; nothing was recorded.");
        unknownLead.Output.ShouldNotContain("line 2 (AST-2024-30)");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(before);

        (await VerbSettings.FailsAsync(["import", files.File("absent.csv")], owner)).Output.ShouldContain("there is no file");
    }

    [Fact]
    public async Task a_json_matrix_and_a_meetings_data_file_are_imported_idempotently()
    {
        using var files = new ScratchFolder();
        await using var database = await TestDatabase.CreateAsync("importjson");
        var owner = VerbSettings.Owner(database);

        // The meetings' data file, given as a file: as the shipped data, and again without effect.
        var data = Path.Combine(LedgerProcess.RepositoryRoot(), "data", "unoic-2022-2024.json");
        var first = await VerbSettings.SucceedsAsync(["import", data], owner);
        first.Output.ShouldContain("; 0 were already present.");
        var events = await VerbSettings.EventCountAsync(database);
        events.ShouldBeGreaterThan(0);
        (await VerbSettings.SucceedsAsync(["import", data], owner)).Output.ShouldContain("Imported 0 streams (0 events)");
        (await VerbSettings.SucceedsAsync(["import"], owner)).Output.ShouldContain("Imported 0 streams (0 events)");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(events);

        var matrix = files.Write("matrix.json", JsonMatrix);
        (await VerbSettings.SucceedsAsync(["import", matrix], owner)).Output.ShouldContain("Imported 2 commitments (AST-2024-40, AST-2024-41); 0 already in the ledger.");
        (await VerbSettings.SucceedsAsync(["import", matrix], owner)).Output.ShouldContain("Nothing to import: all 2 commitments");
        (await VerbSettings.EventCountAsync(database)).ShouldBe(events + 2);
    }
}
