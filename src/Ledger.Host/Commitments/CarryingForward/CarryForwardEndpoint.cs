using Ledger.Domain.Commitments.CarryingForward;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace Ledger.Host.Commitments.CarryingForward;

public sealed record CarryForwardRequest(string? ToMeeting, string? Remarks, long? ExpectedVersion);

public static class CarryForwardEndpoint
{
    [WolverinePost("/api/commitments/{code}/carry-forward", OperationId = "carryForwardCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [EnableRateLimiting(SecurityHosting.WriteRateLimit)]
    [RequestSizeLimit(WriteLimits.CommandBodyBytes)]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    [ProducesResponseType(StatusCodes.Status409Conflict)]
    [ProducesResponseType(StatusCodes.Status422UnprocessableEntity)]
    public static Task<IResult> Post(string code, CarryForwardRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var command = new CarryForward(body.ToMeeting?.ToUpperInvariant()!, body.Remarks);
        return writer.AppendAsync(http, code, body.ExpectedVersion, (current, _, by, now) => command.Decide(current, by, now), ct);
    }
}
