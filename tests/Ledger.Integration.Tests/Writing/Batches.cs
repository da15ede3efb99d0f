using Ledger.Domain.Commitments;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

public sealed class Batches(LedgerFixture fixture) : WriteTest(fixture)
{
    [Fact]
    public async Task a_meetings_review_decisions_are_recorded_together()
    {
        var response = await Host.PostAsync("/api/meetings/AST-2024/reviews", new
        {
            reviews = new object[]
            {
                new { commitment = "GVA-2022-1.1", rating = "on-track", decision = "continue" },
                new { commitment = "gva-2022-2.3", rating = "delayed", decision = "carry-forward", remarks = "Projects pending funding." },
                new { commitment = "GVA-2022-3.9", rating = "not-started", decision = "request-information", expectedVersion = 1 },
            },
        }, Secretariat);

        response.Status.ShouldBe(200, response.Body);
        response.Json.GetProperty("recorded").GetArrayLength().ShouldBe(3);
        (await Host.EventCountAsync()).ShouldBe(55);
        var view = await Host.GetJsonAsync<CommitmentView>("/api/commitments/GVA-2022-2.3");
        view.LatestReview!.Decision.ShouldBe(ReviewOutcome.CarryForward);
        view.LatestReview.Meeting.ShouldBe("AST-2024");
    }

    [Fact]
    public async Task one_refused_decision_refuses_the_whole_batch()
    {
        var response = await Host.PostAsync("/api/meetings/AST-2024/reviews", new
        {
            reviews = new object[]
            {
                new { commitment = "GVA-2022-1.1", rating = "on-track", decision = "continue" },
                new { commitment = "GVA-2022-1.2", rating = "completed-verified", decision = "close" },
                new { commitment = "GVA-2022-9.9", rating = "on-track", decision = "continue" },
            },
        }, Secretariat);

        var problem = response.ShouldBeProblem(400);
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty("reviews[1].rating", out _).ShouldBeTrue(problem.ToString());
        errors.TryGetProperty("reviews[2].commitment", out _).ShouldBeTrue(problem.ToString());
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task a_stale_version_anywhere_in_the_batch_is_409_and_records_nothing()
    {
        var response = await Host.PostAsync("/api/meetings/AST-2024/reviews", new
        {
            reviews = new object[]
            {
                new { commitment = "GVA-2022-1.1", rating = "on-track", decision = "continue", expectedVersion = 1 },
                new { commitment = "GVA-2022-1.2", rating = "on-track", decision = "continue", expectedVersion = 4 },
            },
        }, Secretariat);

        response.ShouldBeProblem(409);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task the_same_commitment_twice_in_a_batch_is_refused()
    {
        var response = await Host.PostAsync("/api/meetings/AST-2024/reviews", new
        {
            reviews = new object[]
            {
                new { commitment = "GVA-2022-1.1", rating = "on-track", decision = "continue" },
                new { commitment = "GVA-2022-1.1", rating = "delayed", decision = "continue" },
            },
        }, Secretariat);

        response.ShouldBeProblem(400).GetProperty("errors").TryGetProperty("reviews[1].commitment", out _).ShouldBeTrue();
        (await Host.EventCountAsync()).ShouldBe(52);
    }
}
