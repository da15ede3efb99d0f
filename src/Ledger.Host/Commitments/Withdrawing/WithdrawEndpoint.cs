using Ledger.Domain.Commitments.Withdrawing;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Withdrawing;

public sealed record WithdrawalRequest(string? Reason, LocalDate? EffectiveOn, long? ExpectedVersion);

public static class WithdrawEndpoint
{
    [WolverinePost("/api/commitments/{code}/withdrawal", OperationId = "withdrawCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static Task<IResult> Post(string code, WithdrawalRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var command = new WithdrawCommitment(body.Reason!, body.EffectiveOn);
        return writer.AppendAsync(http, code, body.ExpectedVersion, (current, _, by, now) => command.Decide(current, by, now), ct);
    }
}
