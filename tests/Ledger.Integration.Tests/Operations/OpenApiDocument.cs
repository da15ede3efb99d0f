using System.Text.Json;
using Alba;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Operations;

public sealed class OpenApiDocument(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task the_document_describes_every_route_its_bodies_and_the_bearer_scheme()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/openapi/v1.json");
            s.StatusCodeShouldBeOk();
        });
        var document = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;

        document.GetProperty("openapi").GetString()!.ShouldStartWith("3.");
        var paths = document.GetProperty("paths");
        string[][] routes =
        [
            ["/api/meetings", "get"], ["/api/meetings/{code}", "get"], ["/api/commitments", "get"], ["/api/commitments", "post"],
            ["/api/commitments/{code}", "get"], ["/api/commitments/{code}/amendments", "post"], ["/api/commitments/{code}/progress", "post"],
            ["/api/commitments/{code}/reviews", "post"], ["/api/commitments/{code}/withdrawal", "post"],
            ["/api/commitments/{code}/carry-forward", "post"], ["/api/meetings/{code}/reviews", "post"], ["/api/imports", "post"],
        ];
        foreach (var route in routes)
        {
            paths.TryGetProperty(route[0], out var path).ShouldBeTrue($"{route[0]} is missing");
            path.TryGetProperty(route[1], out var operation).ShouldBeTrue($"{route[1].ToUpperInvariant()} {route[0]} is missing");
            operation.GetProperty("operationId").GetString().ShouldNotBeNullOrWhiteSpace();
            if (route[1] == "post" && route[0] != "/api/imports")
            {
                operation.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue(route[0]);
            }

            if (route[1] == "post")
            {
                // Every write documents the refusals any write may give, as problem details.
                var responses = operation.GetProperty("responses");
                foreach (var status in new[] { "400", "401", "403", "409", "413", "422", "429" })
                {
                    responses.TryGetProperty(status, out var response).ShouldBeTrue($"POST {route[0]} does not document {status}");
                    response.GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeTrue($"POST {route[0]} {status}");
                }
            }
        }

        document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
    }

    [Fact]
    public async Task the_api_reference_page_is_served_for_local_use()
    {
        await Host.Scenario(s =>
        {
            s.Get.Url("/scalar/v1");
            s.StatusCodeShouldBeOk();
        });
    }
}
