using System.Text.Json;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Audit;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Ledger.Projections.Commitments;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Marten.Pagination;
using Wolverine.Http;

namespace Ledger.Host.Commitments;

public sealed record CommitmentPage(IReadOnlyList<CommitmentView> Items, long Total, int Page, int PageSize);

public static class CommitmentQueries
{
    public const int MaxPageSize = 200;

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/commitments", OperationId = "listCommitments")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentPage>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    public static async Task<IResult> List(
        IQuerySession db,
        CancellationToken ct,
        string? meeting = null,
        int? session = null,
        string? org = null,
        string? country = null,
        string? status = null,
        int page = 1,
        int pageSize = 50)
    {
        if (page < 1)
        {
            return Problems.BadQuery("page", "must be 1 or more");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problems.BadQuery("pageSize", $"must be between 1 and {MaxPageSize}");
        }

        CommitmentStatus? wanted = null;
        if (status is not null)
        {
            if (!TryParseStatus(status, out var parsed))
            {
                return Problems.BadQuery("status", "must be one of " + string.Join(", ", Enum.GetValues<CommitmentStatus>().Select(CommitmentLifecycle.Describe)));
            }

            wanted = parsed;
        }

        IQueryable<CommitmentView> Filtered() => Filter(db.Query<CommitmentView>(), meeting, session, org, country, wanted);

        var items = await Filtered().OrderBy(c => c.SortKey).ToPagedListAsync(page, pageSize, ct);

        // The total rides on the page's rows; a page past the end has none, so count on its own.
        var total = items.Count == 0 && page > 1 ? await Filtered().CountAsync(ct) : items.TotalItemCount;
        return Results.Json(new CommitmentPage([.. items], total, page, pageSize), ApiJson.Options);
    }

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/commitments/{code}", OperationId = "getCommitment")]
    [Tags("Commitments")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(
        string code, HttpContext http, IQuerySession session, CancellationToken ct,
        string? asOf = null, long? version = null, string? effectiveOn = null)
    {
        var response = http.Response;
        if (TimeTravel.IsRequested(asOf, version, effectiveOn))
        {
            return TimeTravel.Refuse(http.User)
                   ?? await TimeTravel.StateAsync(session, code.ToUpperInvariant(), asOf, version, effectiveOn, response, ct);
        }

        var view = await session.LoadAsync<CommitmentView>(code.ToUpperInvariant(), ct);
        if (view is null)
        {
            return Problems.NotFound("Commitment", code);
        }

        response.Headers.ETag = $"\"{view.Version}\"";
        return Results.Json(view, ApiJson.Options);
    }

    private static IQueryable<CommitmentView> Filter(
        IQueryable<CommitmentView> query, string? meeting, int? session, string? org, string? country, CommitmentStatus? status)
    {
        if (meeting is not null)
        {
            var code = meeting.ToUpperInvariant();
            query = query.Where(c => c.Meeting == code);
        }

        if (session is { } workingSession)
        {
            query = query.Where(c => c.WorkingSession == workingSession);
        }

        if (org is not null)
        {
            var code = org.ToUpperInvariant();
            query = query.Where(c => c.Leads.Contains(code) || c.Partners.Contains(code));
        }

        if (country is not null)
        {
            var iso3 = country.ToUpperInvariant();
            query = query.Where(c => c.Countries.Contains(iso3));
        }

        if (status is { } s)
        {
            query = query.Where(c => c.Status == s);
        }

        return query;
    }

    private static bool TryParseStatus(string text, out CommitmentStatus status) => ApiNames.TryParse(text, out status);
}
