using System.Net.Http.Headers;
using System.Text;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

/// <summary>
/// The hostile requests that once got a 500 or an empty 400, each now a 4xx problem naming what is wrong,
/// with nothing written. (The fault suite's R6 sends generated ones to every route of a real host process.)
/// </summary>
public sealed class HostileInput(LedgerFixture fixture) : WriteTest(fixture)
{
    public static TheoryData<string, string, string> Bodies => new()
    {
        // route, body, the field the problem names
        { "/api/commitments/AST-2024-06/reviews", "null", "body" },
        { "/api/commitments/AST-2024-06/reviews", "\"review\"", "body" },
        { "/api/commitments/AST-2024-06/reviews", "[{\"rating\":\"on-track\"}]", "body" },
        { "/api/commitments/AST-2024-06/progress", "true", "body" },
        { "/api/commitments", "12", "body" },
        { "/api/meetings/AST-2024/reviews", "{\"reviews\":[null]}", "reviews[0]" },
        { "/api/imports", "{\"meeting\":\"AST-2024\",\"commitments\":[null]}", "commitments[0]" },
        { "/api/commitments", "{\"code\":\"AST-2024-13\",\"meeting\":\"AST-2024\",\"title\":\"x\",\"kind\":\"call\",\"leads\":[\"IOFS\",null]}", "leads[1]" },
        { "/api/commitments/AST-2024-06/reviews", "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"RATING\":\"delayed\",\"decision\":\"continue\"}", "RATING" },
        { "/api/commitments/AST-2024-06/reviews", "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"decision\":\"continue\",\"remarks\":\"a\\u0000b\"}", "remarks" },
        { "/api/commitments/AST-2024-06/reviews", "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"decision\":\"continue\",\"remarks\":\"\\ud800\"}", "remarks" },
        { "/api/commitments/AST-2024-06/withdrawal", "{\"reason\":\"Gone.\"} {}", "body" },
        { "/api/commitments/AST-2024-06/carry-forward", "", "body" },
        { "/api/ledger/verify", "null", "body" },
        { "/api/ledger/verify", "{\"digest\":{\"algorithm\":\"sha256-rfc6962\",\"treeSize\":-1,\"rootHash\":\"00\",\"lastSequence\":0,\"chainAlgorithm\":\"x\"}}", "digest.rootHash" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task a_body_that_is_not_an_object_of_the_routes_shape_is_a_400_naming_the_field(string route, string body, string field)
    {
        var token = route.StartsWith("/api/ledger", StringComparison.Ordinal) ? Auditor : Secretariat;

        var response = await Host.PostAsync(route, body, token);

        var problem = response.ShouldBeProblem(400);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [InlineData("-1", "status")]
    [InlineData("+1", "status")]
    [InlineData("1", "kind")]
    public async Task a_csv_status_or_kind_that_is_a_number_is_refused(string value, string column)
    {
        var status = column == "status" ? value : "agreed";
        var kind = column == "kind" ? value : "call";
        var csv = $"code,title,kind,leads,status\nAST-2024-7300,R6 line,{kind},IOFS,{status}\n";

        var response = await Host.PostAsync("/api/imports?meeting=AST-2024", csv, Secretariat, contentType: "text/csv");

        response.ShouldBeProblem(400).GetProperty("errors").TryGetProperty($"line 2.{column}", out _).ShouldBeTrue(response.Body);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [InlineData("/api/commitments?org=%00", "org")]
    [InlineData("/api/commitments?country=%00", "country")]
    [InlineData("/api/dashboard/overdue?org=%00", "org")]
    [InlineData("/api/commitments?meeting=AST-2024%E2%80%8B", "meeting")]
    [InlineData("/api/commitments?status=agreed%1B", "status")]
    [InlineData("/api/commitments?org=FAO&org=UN", "org")]
    [InlineData("/api/commitments?country=", "country")]
    [InlineData("/api/commitments/AST%01", "code")]
    [InlineData("/api/dashboard/countries/%E2%80%AEGFA", "iso3")]
    [InlineData("/api/meetings/AST-2024%3B%20drop", "code")]
    [InlineData("/api/commitments?page=abc", "page")]
    public async Task a_query_or_path_value_text_cannot_carry_is_a_400_naming_the_parameter(string url, string parameter)
    {
        var problem = await Host.GetProblemAsync(url, 400);

        problem.GetProperty("type").GetString().ShouldBe("https://unoic-ledger.example/problems/invalid-query");
        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task a_write_with_a_control_character_in_its_path_is_refused_before_it_is_read()
    {
        var response = await Host.PostAsync("/api/commitments/AST-2024-06%07/reviews", OnTrack, Secretariat);

        response.ShouldBeProblem(400).GetProperty("errors").TryGetProperty("code", out _).ShouldBeTrue();
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task a_body_of_another_media_type_is_415(string contentType)
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, contentType: contentType);

        response.ShouldBeProblem(415).GetProperty("type").GetString().ShouldBe("https://unoic-ledger.example/problems/unsupported-media-type");
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task a_body_sent_to_a_route_that_takes_none_is_415()
    {
        (await Host.PostAsync("/api/projections/verify", new { }, Auditor)).ShouldBeProblem(415);
    }

    [Fact]
    public async Task a_body_sent_in_chunks_past_the_limit_is_413_and_writes_nothing()
    {
        using var client = Host.Server.CreateClient();
        var body = "{\"meeting\":\"AST-2024\",\"rating\":\"on-track\",\"decision\":\"continue\",\"remarks\":\"" + new string('x', 70_000) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{LetterOfIntent}/reviews")
        {
            // A stream of unknown length: sent without Content-Length, as chunks.
            Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(body))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secretariat);

        using var response = await client.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(413, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Host.EventCountAsync()).ShouldBe(52);
    }
}
