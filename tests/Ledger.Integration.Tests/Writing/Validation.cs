using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

/// <summary>Hostile or mistaken input gets a 4xx problem naming what is wrong, and nothing is written.</summary>
public sealed class Validation(LedgerFixture fixture) : WriteTest(fixture)
{
    public static TheoryData<string, string, int, string> BadRequests => new()
    {
        // route, body, status, what the problem must mention
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"on-track","decision":"continue","colour":"red"}""", 400, "colour" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":5,"decision":"continue"}""", 400, "rating" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"brilliant","decision":"continue"}""", 400, "rating" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","decision":"continue"}""", 400, "rating" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"on-track","decision":"continue","nextReviewDue":"2026-02-30"}""", 400, "nextReviewDue" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"XYZ-2030","rating":"on-track","decision":"continue"}""", 400, "meeting" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"on-track","decision":"close","nextReviewDue":"2026-07-01"}""", 400, "nextReviewDue" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"completed-verified","decision":"close"}""", 422, "rating" },
        { "/api/commitments/AST-2024-06/reviews", "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"decision\":\"continue\",\"remarks\":\"" + new string('x', 4001) + "\"}", 400, "remarks" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}""", 400, "remarks" },
        { "/api/commitments/AST-2024-06/reviews", "not json", 400, "JSON" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"","asOf":"2024-07-24"}""", 400, "narrative" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2030-01-01"}""", 400, "asOf" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","percentComplete":140}""", 400, "percentComplete" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"withdrawn","narrative":"ok","asOf":"2024-07-24"}""", 400, "status" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[{"name":"x","measure":"speed","actual":1}]}""", 400, "indicators[0].measure" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[{"name":"x","measure":"unit","actual":"lots"}]}""", 400, "indicators[0].actual" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[{"name":"x","measure":"unit","actual":1,"unitOfMeasure":"kg"}]}""", 400, "unitOfMeasure" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[{"measure":"unit","actual":1}]}""", 400, "indicators[0].name" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[{"name":"x","measure":"percentage","actual":140}]}""", 400, "indicators[0].actual" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","indicators":[null]}""", 400, "indicators[0]" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok","asOf":"2024-07-24","percentComplete":20,"indicators":[{"name":"completion","measure":"percentage","target":100,"actual":20}]}""", 400, "percentComplete" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"ok"}""", 400, "asOf" },
        { "/api/commitments/AST-2024-01/progress", """{"status":"completed","narrative":"Done.","asOf":"2024-07-24"}""", 422, "proposed" },
        { "/api/commitments", """{"code":"AST-24-1","meeting":"AST-2024","title":"x","kind":"call","leads":["IOFS"]}""", 400, "code" },
        { "/api/commitments", """{"code":"GVA-2022-9","meeting":"AST-2024","title":"x","kind":"call","leads":["IOFS"]}""", 400, "code" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x","kind":"call","leads":["WHO"]}""", 400, "leads[0]" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x","kind":"call","leads":["IOFS"],"countries":["XXX"]}""", 400, "countries[0]" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x","kind":"call","leads":[]}""", 400, "leads" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x\nwith a line break","kind":"call","leads":["IOFS"]}""", 400, "title" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x","leads":["IOFS"]}""", 400, "kind" },
        { "/api/commitments", """{"code":"AST-2024-13","meeting":"AST-2024","title":"x","kind":"call","leads":["IOFS"],"workingSession":4}""", 400, "workingSession" },
        { "/api/commitments/AST-2024-06/amendments", """{"reason":"Nothing really.","title":"IOFS-FAO Letter of Intent on institutional cooperation in member states"}""", 400, "changes nothing" },
        { "/api/commitments/AST-2024-06/amendments", """{"title":"New title"}""", 400, "reason" },
        { "/api/commitments/AST-2024-06/withdrawal", """{}""", 400, "reason" },
        { "/api/commitments/AST-2024-06/carry-forward", """{"toMeeting":"GVA-2022"}""", 400, "toMeeting" },
        { "/api/meetings/AST-2024/reviews", """{"reviews":[]}""", 400, "reviews" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task bad_input_is_a_problem_naming_the_field_and_writes_nothing(string route, string body, int status, string mentions)
    {
        var response = await Host.PostAsync(route, body, Secretariat);

        var problem = response.ShouldBeProblem(status);
        problem.ToString().ShouldContain(mentions, Case.Insensitive);
        problem.ToString().ShouldNotContain("Ledger.Host", customMessage: "internal type names stay inside");
        problem.GetProperty("type").GetString()!.ShouldStartWith("https://unoic-ledger.example/problems/");
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task every_refused_field_of_a_reports_indicators_is_named_and_nothing_is_written()
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/progress", new
        {
            status = "in-progress",
            narrative = "Missions started.",
            asOf = "2024-07-24",
            indicators = new object[]
            {
                new { name = "farmers trained", measure = "ordinal", target = 3, actual = 1.5m },
                new { name = "ownership", measure = "qualitative", baseline = 1 },
                new { name = "Farmers Trained", measure = "unit", actual = 4 },
            },
        }, Secretariat);

        var errors = response.ShouldBeProblem(400).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe(
            ["indicators[0].actual", "indicators[1].comment", "indicators[1].baseline", "indicators[2].name"], ignoreOrder: true);
        errors.GetProperty("indicators[0].actual")[0].GetString().ShouldBe("a rank is a whole number");
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task a_body_over_the_size_limit_is_413_and_writes_nothing()
    {
        var body = "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"decision\":\"continue\",\"remarks\":\"" + new string('x', 70_000) + "\"}";

        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", body, Secretariat);

        response.ShouldBeProblem(413);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task a_body_that_is_not_json_is_415_or_400_never_500()
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", "rating=on-track", Secretariat,
            contentType: "application/x-www-form-urlencoded");

        response.Status.ShouldBeInRange(400, 415);
        (await Host.EventCountAsync()).ShouldBe(52);
    }
}
