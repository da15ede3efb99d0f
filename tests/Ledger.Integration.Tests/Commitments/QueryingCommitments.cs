using Ledger.Domain.Commitments;
using Ledger.Host.Commitments;
using Alba;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Commitments;

public sealed class QueryingCommitments(LedgerFixture fixture) : LedgerTest(fixture)
{
    private async Task<CommitmentPage> ListAsync(string query)
    {
        await ImportShippedDataAsync();
        return await Host.GetJsonAsync<CommitmentPage>("/api/commitments" + query);
    }

    [Fact]
    public async Task all_forty_commitments_are_listed_in_natural_code_order()
    {
        var page = await ListAsync("?pageSize=100");

        page.Total.ShouldBe(40);
        page.Page.ShouldBe(1);
        page.PageSize.ShouldBe(100);
        page.Items.Count.ShouldBe(40);
        page.Items[0].Id.ShouldBe("AST-2024-01");
        page.Items.Select(c => c.Id).Skip(9).Take(11).ShouldBe(
        [
            "GVA-2022-1.1", "GVA-2022-1.2", "GVA-2022-1.3", "GVA-2022-1.4", "GVA-2022-1.5", "GVA-2022-1.6",
            "GVA-2022-1.7", "GVA-2022-1.8", "GVA-2022-2.1", "GVA-2022-2.2", "GVA-2022-2.3",
        ]);
        page.Items.Select(c => c.Id).ShouldContain("GVA-2022-2.14");
    }

    [Fact]
    public async Task pages_cut_the_same_order_and_keep_the_total()
    {
        await ImportShippedDataAsync();
        var all = await Host.GetJsonAsync<CommitmentPage>("/api/commitments?pageSize=100");

        var second = await Host.GetJsonAsync<CommitmentPage>("/api/commitments?page=2&pageSize=15");
        var last = await Host.GetJsonAsync<CommitmentPage>("/api/commitments?page=3&pageSize=15");
        var beyond = await Host.GetJsonAsync<CommitmentPage>("/api/commitments?page=9&pageSize=15");

        second.Total.ShouldBe(40);
        second.Items.Select(c => c.Id).ShouldBe(all.Items.Skip(15).Take(15).Select(c => c.Id));
        last.Items.Count.ShouldBe(10);
        beyond.Items.ShouldBeEmpty();
        beyond.Total.ShouldBe(40);
    }

    [Theory]
    [InlineData("?meeting=AST-2024", 9)]
    [InlineData("?meeting=GVA-2022", 31)]
    [InlineData("?meeting=GVA-2022&session=1", 8)]
    [InlineData("?meeting=GVA-2022&session=2", 14)]
    [InlineData("?meeting=GVA-2022&session=3", 9)]
    [InlineData("?session=3", 11)]
    [InlineData("?org=FAO", 1)]
    [InlineData("?org=fao", 1)]
    [InlineData("?meeting=ast-2024", 9)]
    [InlineData("?org=IOFS", 8)]
    [InlineData("?org=UNRWA", 1)]
    [InlineData("?org=UN", 36)]
    [InlineData("?country=AFG", 2)]
    [InlineData("?country=tjk", 1)]
    [InlineData("?status=proposed", 6)]
    [InlineData("?status=in-progress", 2)]
    [InlineData("?status=agreed", 32)]
    [InlineData("?status=completed", 0)]
    [InlineData("?meeting=AST-2024&org=IOFS&status=proposed", 5)]
    [InlineData("?meeting=NOPE-2030", 0)]
    public async Task filters_narrow_the_list(string query, int expected)
    {
        var page = await ListAsync(query + "&pageSize=100");

        page.Total.ShouldBe(expected);
        page.Items.Count.ShouldBe(expected);
    }

    [Fact]
    public async Task an_organization_filter_matches_leads_and_partners()
    {
        var page = await ListAsync("?org=OIC&meeting=AST-2024");

        // Leads AST-2024-01; partners of the four proposed mechanisms 02–05.
        page.Items.Select(c => c.Id).ShouldBe(["AST-2024-01", "AST-2024-02", "AST-2024-03", "AST-2024-04", "AST-2024-05"]);
        page.Items.ShouldAllBe(c => c.Leads.Contains("OIC") || c.Partners.Contains("OIC"));
    }

    [Fact]
    public async Task a_country_filter_returns_the_commitments_covering_it()
    {
        var page = await ListAsync("?country=AFG");

        page.Items.Select(c => c.Id).ShouldBe(["AST-2024-06", "AST-2024-07"]);
        page.Items.Single(c => c.Id == "AST-2024-07").Status.ShouldBe(CommitmentStatus.InProgress);
    }

    [Fact]
    public async Task a_commitment_is_read_with_its_version_as_etag()
    {
        await ImportShippedDataAsync();

        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/commitments/AST-2024-08");
            s.StatusCodeShouldBeOk();
            s.Header("ETag").SingleValueShouldEqual("\"2\"");
        });

        var body = await result.ReadAsTextAsync();
        body.ShouldContain("\"status\":\"in-progress\"");
        body.ShouldContain("\"leads\":[\"IOFS\",\"UNRWA\"]");
    }

    [Fact]
    public async Task an_unknown_commitment_is_a_404_problem()
    {
        await ImportShippedDataAsync();

        var problem = await Host.GetProblemAsync("/api/commitments/AST-2024-99", 404);

        problem.GetProperty("detail").GetString()!.ShouldContain("AST-2024-99");
    }

    [Theory]
    [InlineData("?page=0", "page")]
    [InlineData("?pageSize=0", "pageSize")]
    [InlineData("?pageSize=201", "pageSize")]
    [InlineData("?status=finished", "status")]
    public async Task bad_query_parameters_are_400_problems_naming_the_parameter(string query, string parameter)
    {
        var problem = await Host.GetProblemAsync("/api/commitments" + query, 400);

        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("?page=abc")]
    [InlineData("?session=two")]
    public async Task unparseable_numbers_are_400_problems(string query)
    {
        await Host.GetProblemAsync("/api/commitments" + query, 400);
    }
}
