using Ledger.Domain.Commitments;
using Ledger.Domain.Organizations;
using Ledger.Host.Dashboards;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class PortfoliosAndCoverage(LedgerFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task an_organization_portfolio_splits_what_it_leads_from_what_it_partners()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var iofs = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/iofs");
        var oic = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/OIC");

        iofs.Organization.ShouldBe(new PortfolioOrganizationInfo("IOFS", "Islamic Organization for Food Security", OrganizationFamily.OIC));
        iofs.Leads.Total.ShouldBe(8);
        iofs.Leads.ByStatus["proposed"].ShouldBe(5);
        iofs.Leads.ByStatus["in-progress"].ShouldBe(2);
        iofs.Leads.ByStatus["agreed"].ShouldBe(1);
        iofs.Partners.Total.ShouldBe(0);
        iofs.Commitments.Count.ShouldBe(8);
        iofs.Commitments.ShouldAllBe(c => c.Role == CommitmentRole.Lead);

        // OIC leads AST-2024-01 and the 31 Geneva lines with the UN; it partners the four mechanisms.
        oic.Leads.Total.ShouldBe(32);
        oic.Partners.Total.ShouldBe(4);
        oic.Commitments.Where(c => c.Role == CommitmentRole.Partner).Select(c => c.Code)
            .ShouldBe(["AST-2024-02", "AST-2024-03", "AST-2024-04", "AST-2024-05"]);
        oic.Freshness.Projection.ShouldBe("organization-portfolio");
    }

    [Fact]
    public async Task an_amendment_moves_a_commitment_from_one_portfolio_to_another()
    {
        await RegisterMeetingAsync("TST-2026", null, Political);
        await RegisterOrganizationsAsync("UN", "OIC", "FAO", "WFP");
        await PledgeAsync("TST-2026-01", ["UN"], partners: ["FAO"], countries: ["AFG", "SOM"]);
        await CatchUpAsync();
        (await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/FAO")).Partners.Total.ShouldBe(1);

        await AmendAsync("TST-2026-01", leads: ["OIC"], partners: ["WFP"], countries: ["SOM", "YEM"]);
        await CatchUpAsync();

        (await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/UN")).Commitments.ShouldBeEmpty();
        (await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/FAO")).Commitments.ShouldBeEmpty();
        var oic = await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/OIC");
        oic.Leads.Total.ShouldBe(1);
        oic.Commitments.Single().Leads.ShouldBe(["OIC"]);
        (await GetAsync<OrganizationPortfolioResponse>("/api/dashboard/organizations/WFP")).Commitments.Single().Role.ShouldBe(CommitmentRole.Partner);
        (await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG")).Total.ShouldBe(0);
        (await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/SOM")).Total.ShouldBe(1);
        (await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/YEM")).Total.ShouldBe(1);
    }

    [Fact]
    public async Task an_unknown_organization_is_a_404_problem()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        await Host.GetProblemAsync("/api/dashboard/organizations/NOPE", 404);
    }

    [Fact]
    public async Task a_country_lists_the_commitments_covering_it()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var afghanistan = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/AFG");
        var tajikistan = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/tjk");

        afghanistan.Country.ShouldBe("AFG");
        afghanistan.Total.ShouldBe(2);
        afghanistan.ByStatus["agreed"].ShouldBe(1);
        afghanistan.ByStatus["in-progress"].ShouldBe(1);
        afghanistan.Commitments.Select(c => (c.Code, c.Status)).ShouldBe(
            [("AST-2024-06", CommitmentStatus.Agreed), ("AST-2024-07", CommitmentStatus.InProgress)]);
        tajikistan.Commitments.Select(c => c.Code).ShouldBe(["AST-2024-06"]);
    }

    [Fact]
    public async Task an_assigned_country_without_commitments_counts_zero_and_an_unassigned_code_is_404()
    {
        await ImportShippedDataAsync();
        await CatchUpAsync();

        var france = await GetAsync<CountryCoverageResponse>("/api/dashboard/countries/FRA");

        france.Total.ShouldBe(0);
        france.Commitments.ShouldBeEmpty();
        france.ByStatus.Values.ShouldAllBe(n => n == 0);
        await Host.GetProblemAsync("/api/dashboard/countries/XXX", 404);
        await Host.GetProblemAsync("/api/dashboard/countries/AF", 404);
    }
}
