using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Reviewing;

public sealed record BatchReviewItem(
    string? Commitment,
    Ledger.Domain.Commitments.ReviewRating? Rating,
    Ledger.Domain.Commitments.ReviewOutcome? Decision,
    string? Remarks,
    NodaTime.LocalDate? NextReviewDue,
    long? ExpectedVersion);

/// <summary>Review decisions taken at one meeting, recorded together.</summary>
public sealed record BatchReviewRequest(IReadOnlyList<BatchReviewItem>? Reviews);

public static class MeetingReviewsEndpoint
{
    public const int MaxReviews = 500;

    [WolverinePost("/api/meetings/{code}/reviews", OperationId = "recordMeetingReviews")]
    [Tags("Meetings")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite(WriteBody.Batch)]
    [ProducesResponseType<BatchResult>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string code, BatchReviewRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        if (body.Reviews is not { Count: > 0 } reviews)
        {
            return Task.FromResult(Problems.BadRequest("reviews", "needs at least one review decision"));
        }

        if (reviews.Count > MaxReviews)
        {
            return Task.FromResult(Problems.BadRequest("reviews", $"may hold at most {MaxReviews} decisions"));
        }

        var meeting = code.ToUpperInvariant();
        var items = new List<(string, long?, Decide)>(reviews.Count);
        for (var i = 0; i < reviews.Count; i++)
        {
            var review = reviews[i];
            if (string.IsNullOrWhiteSpace(review.Commitment))
            {
                return Task.FromResult(Problems.BadRequest($"reviews[{i}].commitment", "is required"));
            }

            var (command, problem) = new ReviewRequest(meeting, review.Rating, review.Decision, review.Remarks, review.NextReviewDue, null)
                .ToCommand($"reviews[{i}].");
            if (command is null)
            {
                return Task.FromResult(problem!);
            }

            items.Add((review.Commitment, review.ExpectedVersion, command.Decide));
        }

        return writer.AppendBatchAsync(http, meeting, items, ct);
    }
}
