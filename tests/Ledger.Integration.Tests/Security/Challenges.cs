using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Security;

/// <summary>How a refused caller is answered: problem details, and a bearer challenge on every 401.</summary>
public sealed class Challenges(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task A_401_that_an_endpoint_answers_itself_still_carries_the_bearer_challenge()
    {
        await ImportShippedDataAsync();

        // Reads are public here, so authorization lets the request through and the endpoint refuses it.
        var answer = await Host.GetAsync("/api/commitments/AST-2024-06?version=1", null);

        answer.ShouldBeProblem(401);
        answer.Header("WWW-Authenticate").ShouldBe("Bearer");
    }

    [Fact]
    public async Task A_refused_token_is_named_in_the_challenge_without_repeating_what_it_says()
    {
        var answer = await Host.PostAsync("/api/commitments/AST-2024-06/reviews", "{}", "not-a-jwt");

        answer.ShouldBeProblem(401).GetProperty("type").GetString().ShouldBe(AuthProblems.UnauthorizedType);
        answer.Header("WWW-Authenticate").ShouldBe("Bearer error=\"invalid_token\", error_description=\"The bearer token is not a well-formed JWT\"");
    }

    [Fact]
    public async Task A_403_names_the_roles_the_route_is_for()
    {
        var answer = await Host.PostAsync("/api/commitments/AST-2024-06/reviews", "{}", Host.TokenFor(LedgerRoles.Viewer));

        answer.ShouldBeProblem(403).GetProperty("detail").GetString().ShouldBe("This route is for the role secretariat.");
    }
}
