using Ledger.Domain.Commitments.CarryingForward;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Commitments.CarryingForward;

public sealed record CarryForwardRequest(string? ToMeeting, string? Remarks, long? ExpectedVersion);

public static class CarryForwardEndpoint
{
    [WolverinePost("/api/commitments/{code}/carry-forward", OperationId = "carryForwardCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static Task<IResult> Post(string code, CarryForwardRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var command = new CarryForward(body.ToMeeting?.ToUpperInvariant()!, body.Remarks);
        return writer.AppendAsync(http, code, body.ExpectedVersion, (current, _, by, now) => command.Decide(current, by, now), ct);
    }
}
