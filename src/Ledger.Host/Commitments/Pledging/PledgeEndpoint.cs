using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Pledging;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Pledging;

/// <summary>A new commitment of a meeting.</summary>
public sealed record PledgeRequest(
    string? Code,
    string? Meeting,
    string? Title,
    CommitmentKind? Kind,
    IReadOnlyList<string>? Leads,
    IReadOnlyList<string>? Partners,
    IReadOnlyList<string>? Countries,
    int? WorkingSession,
    string? Topic,
    IReadOnlyList<string>? Frameworks,
    LocalDate? DueDate,
    CommitmentStatus? Status);

public static class PledgeEndpoint
{
    [WolverinePost("/api/commitments", OperationId = "pledgeCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status201Created)]
    public static Task<IResult> Post(PledgeRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        if (body.Kind is not { } kind)
        {
            return Task.FromResult(Problems.BadRequest("kind", "is required"));
        }

        var command = new PledgeCommitment(
            body.Code?.ToUpperInvariant()!, body.Meeting?.ToUpperInvariant()!, body.Title!, kind, Codes.Normalize(body.Leads)!, Codes.Normalize(body.Partners),
            Codes.Normalize(body.Countries), body.WorkingSession, body.Topic, body.Frameworks, body.DueDate, body.Status ?? CommitmentStatus.Agreed);
        return writer.PledgeAsync(http, command, ct);
    }
}
