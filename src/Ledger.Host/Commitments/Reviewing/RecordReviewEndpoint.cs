using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reviewing;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Reviewing;

public sealed record ReviewRequest(
    string? Meeting,
    ReviewRating? Rating,
    ReviewOutcome? Decision,
    string? Remarks,
    LocalDate? NextReviewDue,
    long? ExpectedVersion)
{
    /// <summary>The domain command, or the problem when a required field is missing.</summary>
    public (RecordReviewDecision? Command, IResult? Problem) ToCommand(string field = "")
    {
        if (Rating is not { } rating)
        {
            return (null, Problems.BadRequest(field + "rating", "is required"));
        }

        if (Decision is not { } decision)
        {
            return (null, Problems.BadRequest(field + "decision", "is required"));
        }

        return (new RecordReviewDecision(Meeting?.ToUpperInvariant()!, rating, decision, Remarks, NextReviewDue), null);
    }
}

public static class RecordReviewEndpoint
{
    [WolverinePost("/api/commitments/{code}/reviews", OperationId = "recordReviewDecision")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static Task<IResult> Post(string code, ReviewRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var (command, problem) = body.ToCommand();
        return command is null
            ? Task.FromResult(problem!)
            : writer.AppendAsync(http, code, body.ExpectedVersion, command.Decide, ct);
    }
}
