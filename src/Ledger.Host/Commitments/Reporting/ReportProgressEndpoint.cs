using System.Security.Claims;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Commitments.Reporting;

/// <summary>
/// A progress report as a client sends it: <see cref="Indicators"/> (IATI-shaped result indicators) and
/// <see cref="PercentComplete"/> are both optional; a percentage complete is recorded as the completion indicator.
/// </summary>
public sealed record ProgressRequest(
    CommitmentStatus? Status,
    string? Narrative,
    int? PercentComplete,
    LocalDate? AsOf,
    long? ExpectedVersion,
    IReadOnlyList<ProgressIndicator?>? Indicators = null);

public static class ReportProgressEndpoint
{
    [WolverinePost("/api/commitments/{code}/progress", OperationId = "reportProgress")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.ReportProgress)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static Task<IResult> Post(string code, ProgressRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        if (body.Status is not { } status)
        {
            return Task.FromResult(Problems.BadRequest("status", "is required"));
        }

        if (body.AsOf is not { } asOf)
        {
            return Task.FromResult(Problems.BadRequest("asOf", "is required: the date the report describes"));
        }

        var command = new ReportProgress(status, body.Narrative!, asOf, body.PercentComplete, body.Indicators);
        return writer.AppendAsync(http, code, body.ExpectedVersion, (current, _, by, now) => command.Decide(current, by, now), ct, OnlyLeads);
    }

    /// <summary>A focal point reports only on commitments its organization leads.</summary>
    private static string? OnlyLeads(Commitment commitment, ClaimsPrincipal user)
    {
        if (user.IsInRole(LedgerRoles.Secretariat))
        {
            return null;
        }

        var organization = user.OrganizationCode();
        return organization is not null && commitment.IsLedBy(organization)
            ? null
            : $"{commitment.Code} is led by {string.Join(" and ", commitment.Leads)}; a focal point of {organization ?? "no organization"} cannot report on it.";
    }
}
