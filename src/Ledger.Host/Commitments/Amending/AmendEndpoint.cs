using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Amending;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Amending;

/// <summary>Fields to change; those left out stay as they are. <c>reason</c> is required.</summary>
public sealed record AmendRequest(
    string? Reason,
    string? Title,
    CommitmentKind? Kind,
    IReadOnlyList<string>? Leads,
    IReadOnlyList<string>? Partners,
    IReadOnlyList<string>? Countries,
    int? WorkingSession,
    string? Topic,
    IReadOnlyList<string>? Frameworks,
    LocalDate? DueDate,
    long? ExpectedVersion);

public static class AmendEndpoint
{
    [WolverinePost("/api/commitments/{code}/amendments", OperationId = "amendCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static Task<IResult> Post(string code, AmendRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var command = new AmendCommitment(
            body.Reason!, body.Title, body.Kind, Codes.Normalize(body.Leads), Codes.Normalize(body.Partners), Codes.Normalize(body.Countries),
            body.WorkingSession, body.Topic, body.Frameworks, body.DueDate);
        return writer.AppendAsync(http, code, body.ExpectedVersion, command.Decide, ct);
    }
}
