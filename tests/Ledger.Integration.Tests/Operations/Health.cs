using System.Text.Json;
using Alba;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Operations;

public sealed class Health(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task health_reports_the_database_and_what_it_holds()
    {
        await ImportShippedDataAsync();

        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBeOk();
        });

        var body = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
        body.GetProperty("status").GetString().ShouldBe("healthy");
        var database = body.GetProperty("checks").GetProperty("database");
        database.GetProperty("status").GetString().ShouldBe("healthy");
        database.GetProperty("data").GetProperty("events").GetInt64().ShouldBe(52);
    }

    [Fact]
    public async Task a_path_that_is_no_endpoint_is_a_404_problem_not_a_401()
    {
        await Host.GetProblemAsync("/api/nothing-here", 404);
    }
}
