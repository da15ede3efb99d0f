using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.ProjectionOps;

public static class ProjectionEndpoints
{
    /// <summary>Each projection's position against the ledger's high-water mark.</summary>
    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/projections", OperationId = "listProjections")]
    [Tags("Projections")]
    [ProducesResponseType<ProjectionsReport>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(ProjectionMonitor monitor, CancellationToken ct) =>
        Results.Json(await monitor.ReadAsync(ct), ApiJson.Options);

    /// <summary>
    /// Rebuilds every projection into a side copy in memory and compares it with the stored read models.
    /// 200 with the report either way: <c>matches</c> says whether they are equal, <c>differences</c> where not.
    /// </summary>
    [Authorize(Policy = LedgerPolicies.Audit)]
    [WolverinePost("/api/projections/verify", OperationId = "verifyProjections")]
    [Tags("Projections")]
    [ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    public static async Task<IResult> Verify(ProjectionVerifier verifier, CancellationToken ct) =>
        Results.Json(await verifier.VerifyAsync(ct: ct), ApiJson.Options);
}
