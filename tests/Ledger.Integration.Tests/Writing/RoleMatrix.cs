using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

/// <summary>Every write route refuses the wrong caller and records nothing; the right caller writes.</summary>
public sealed class RoleMatrix(LedgerFixture fixture) : WriteTest(fixture)
{
    /// <summary>A valid request for each write route, and the events it records when allowed.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "/api/commitments", """{"code":"AST-2024-11","meeting":"AST-2024","title":"Thematic working group on water","kind":"mechanism","leads":["IOFS"]}""" },
        { "/api/commitments/AST-2024-06/amendments", """{"reason":"Typo in the title.","title":"IOFS–FAO Letter of Intent on institutional cooperation"}""" },
        { "/api/commitments/AST-2024-06/progress", """{"status":"in-progress","narrative":"Joint missions started.","asOf":"2024-07-24","percentComplete":10}""" },
        { "/api/commitments/AST-2024-06/reviews", """{"meeting":"AST-2024","rating":"on-track","decision":"continue"}""" },
        { "/api/commitments/AST-2024-06/withdrawal", """{"reason":"Superseded."}""" },
        { "/api/commitments/GVA-2022-1.1/carry-forward", """{"toMeeting":"AST-2024"}""" },
        { "/api/meetings/AST-2024/reviews", """{"reviews":[{"commitment":"GVA-2022-1.1","rating":"delayed","decision":"request-information"}]}""" },
        { "/api/imports", """{"meeting":"AST-2024","commitments":[{"code":"AST-2024-12","title":"Water matrix line","kind":"matrix-line","leads":["UN","OIC"]}]}""" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task without_a_token_every_write_is_401_and_records_nothing(string route, string body)
    {
        (await Host.PostAsync(route, body)).ShouldBeProblem(401);
        (await Host.PostAsync(route, body, "not-a-token")).ShouldBeProblem(401);
        (await Host.PostAsync(route, body, ForeignToken())).ShouldBeProblem(401);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task viewers_and_auditors_are_403_and_record_nothing(string route, string body)
    {
        (await Host.PostAsync(route, body, Viewer)).ShouldBeProblem(403);
        (await Host.PostAsync(route, body, Auditor)).ShouldBeProblem(403);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task a_focal_point_may_only_report_progress_on_what_its_organization_leads(string route, string body)
    {
        var fao = await Host.PostAsync(route, body, FocalPoint("FAO"));
        var unrwa = await Host.PostAsync(route, body, FocalPoint("UNRWA"));

        unrwa.ShouldBeProblem(403);
        if (route.EndsWith("/progress", StringComparison.Ordinal))
        {
            fao.Status.ShouldBe(200, fao.Body);
            (await Host.EventCountAsync()).ShouldBe(53);
        }
        else
        {
            fao.ShouldBeProblem(403);
            (await Host.EventCountAsync()).ShouldBe(52);
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task the_secretariat_may_make_every_write(string route, string body)
    {
        var response = await Host.PostAsync(route, body, Secretariat);

        response.Status.ShouldBeInRange(200, 201, response.Body);
        (await Host.EventCountAsync()).ShouldBe(53);
    }

    [Fact]
    public void a_focal_point_token_always_names_its_organization() =>
        Should.Throw<ArgumentException>(() => Host.TokenFor(LedgerRoles.FocalPoint));

    /// <summary>A well-formed token signed with another key.</summary>
    private static string ForeignToken() =>
        new TokenIssuer(
                Microsoft.Extensions.Options.Options.Create(new AuthOptions { SigningKey = Convert.ToBase64String(new byte[32]) }),
                new NodaTime.Testing.FakeClock(LedgerHost.Start))
            .Issue("intruder", LedgerRoles.Secretariat, null);
}
