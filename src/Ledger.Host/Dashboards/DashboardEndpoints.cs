using Ledger.Domain.Common;
using Ledger.Host.Audit;
using Ledger.Host.Hosting;
using Ledger.Host.ProjectionOps;
using Ledger.Host.Security;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Linq.MatchesSql;
using Marten.Pagination;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;
using Wolverine.Http;

namespace Ledger.Host.Dashboards;

/// <summary>
/// The dashboards' JSON endpoints (docs/dashboards.md). Each answer comes from an async read model,
/// or from a replay of the events when the read model cannot answer, and says which in its freshness.
/// </summary>
public static class DashboardEndpoints
{
    public const int MaxPageSize = 200;
    public const int MaxActivity = 200;

    /// <summary>SQL for "not final", from the statuses themselves (stored by name): constants, no user input.</summary>
    private static readonly string NotFinal = "d.data ->> 'status' not in (" + string.Join(", ",
        Enum.GetValues<Ledger.Domain.Commitments.CommitmentStatus>().Where(DashboardRules.IsFinal).Select(s => $"'{s}'")) + ")";

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/meetings/{code}", OperationId = "getMeetingBoard")]
    [Tags("Dashboards")]
    [ProducesResponseType<MeetingBoardResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType(StatusCodes.Status403Forbidden)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> MeetingBoard(
        string code, HttpContext http, DashboardReads reads, CancellationToken requestAborted, string? asOf = null, string? effectiveOn = null)
    {
        // A board as it stood is an auditor's view, as a commitment's past states are (docs/dashboards.md); a board on a
        // business day is everyone's who may read the board.
        if (asOf is not null && TimeTravel.Refuse(http.User, "Boards as they stood at a past instant") is { } refused)
        {
            return Task.FromResult(refused);
        }

        return reads.AnswerAsync(ct => BoardAsync(code, asOf, effectiveOn, reads, ct), requestAborted);
    }

    private static async Task<IResult> BoardAsync(string code, string? asOf, string? effectiveOn, DashboardReads reads, CancellationToken ct)
    {
        var meeting = code.ToUpperInvariant();
        Instant? at = null;
        if (asOf is not null)
        {
            if (PointInTime.ParseInstant(asOf) is not { } parsed)
            {
                return Problems.BadQuery("asOf", "must be an ISO 8601 instant such as 2024-07-22T06:00:00Z");
            }

            at = parsed;
        }

        // Meetings are never removed: one unknown now was unknown then too, and costs no scan.
        if (await reads.MeetingAsync(meeting, ct) is not { } view)
        {
            return Problems.NotFound("Meeting", code);
        }

        var (business, bad) = EffectiveOn.Read(effectiveOn, EffectiveOn.ZoneOf(view.TimeZone));
        if (bad is not null)
        {
            return bad;
        }

        var today = reads.Today();
        if (at is not null || business is not null)
        {
            // The board as it stood (the events recorded up to the instant) and/or as in force on a business day (their
            // commitments' events in force by then): never today's read models. It is judged on the day it shows
            // (overdue, traffic lights): the business day, else the day of the recorded instant.
            var now = reads.Clock.GetCurrentInstant();
            var then = business?.Day ?? (at is { } instant && instant < now ? instant.InUtc().Date : today);
            var replay = await reads.ReplayAsync(new ReplayScope(at, meeting, business?.InForceBy), ct);
            var freshness = reads.ReplayFreshness(DashboardProjections.BoardName, replay);
            return replay.Snapshot.Boards.GetValueOrDefault(meeting) is { Meeting: { } registered } board
                ? Results.Json(DashboardViews.Board(board, registered, then, at, freshness) with { EffectiveOn = business }, ApiJson.Options)
                : Results.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "Meeting not found",
                    detail: $"Meeting {meeting} was not registered yet at {InstantPattern.ExtendedIso.Format(at ?? now)}.",
                    type: Problems.TypeBase + "not-found");
        }

        var read = await reads.ReadAsync(
            DashboardProjections.BoardName,
            async session => await session.LoadAsync<MeetingBoard>(meeting, ct) is { Meeting: not null } board ? board : null,
            snapshot => snapshot.Boards.GetValueOrDefault(meeting) ?? Projections.Dashboards.MeetingBoard.Empty(meeting),
            ct);
        return read.Value.Meeting is { } known
            ? Results.Json(DashboardViews.Board(read.Value, known, today, null, read.Freshness), ApiJson.Options)
            : Problems.NotFound("Meeting", code);
    }

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/meetings/{code}/unreviewed", OperationId = "getReviewQueue")]
    [Tags("Dashboards")]
    [ProducesResponseType<CommitmentListResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> ReviewQueue(
        string code, DashboardReads reads, CancellationToken requestAborted, int page = 1, int pageSize = 50, string? effectiveOn = null) =>
        reads.AnswerAsync(async ct =>
        {
            if (BadPage(page, pageSize) is { } bad)
            {
                return bad;
            }

            var meeting = code.ToUpperInvariant();
            if (await reads.MeetingAsync(meeting, ct) is not { } view)
            {
                return Problems.NotFound("Meeting", code);
            }

            var (business, badDay) = EffectiveOn.Read(effectiveOn, EffectiveOn.ZoneOf(view.TimeZone));
            if (badDay is not null)
            {
                return badDay;
            }

            var today = business?.Day ?? reads.Today();
            var read = await reads.ReadAsync(
                DashboardProjections.QueueName,
                async session =>
                {
                    // The queue is the meeting's lines that need a review (the rule's SQL), read in the same snapshot as the counter.
                    var waiting = await session.LoadAsync<ReviewQueueView>(meeting, ct) ?? ReviewQueueView.Empty(meeting);
                    var items = await session.Query<DashboardLine>()
                        .Where(l => l.Meeting == meeting)
                        .Where(l => l.MatchesSql(DashboardRules.NeedsReviewSql("d.data")))
                        .OrderBy(l => l.SortKey)
                        .Skip((page - 1) * pageSize).Take(pageSize)
                        .ToListAsync(ct);
                    return new LinePage([.. items], waiting.Waiting);
                },
                snapshot =>
                {
                    var all = DashboardLines.Sorted(snapshot.Lines.Values.Where(l => l.Meeting == meeting && DashboardRules.NeedsReview(l)));
                    return LinePage.Of(all, page, pageSize);
                },
                ct,
                InForce(meeting, business));

            return ListAnswer(read, page, pageSize, today, business);
        }, requestAborted);

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/organizations/{code}", OperationId = "getOrganizationPortfolio")]
    [Tags("Dashboards")]
    [ProducesResponseType<OrganizationPortfolioResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> Organization(string code, DashboardReads reads, CancellationToken requestAborted, string? effectiveOn = null) =>
        reads.AnswerAsync(async ct =>
        {
            var organization = code.ToUpperInvariant();
            if (!await reads.OrganizationExistsAsync(organization, ct))
            {
                return Problems.NotFound("Organization", code);
            }

            var (business, badDay) = EffectiveOn.Read(effectiveOn, DateTimeZone.Utc);
            if (badDay is not null)
            {
                return badDay;
            }

            var today = business?.Day ?? reads.Today();
            var read = await reads.ReadAsync(
                DashboardProjections.PortfolioName,
                async session => await session.LoadAsync<OrganizationPortfolio>(organization, ct) is { Organization: not null } portfolio
                    ? new PortfolioRead(portfolio, await session.Query<DashboardLine>()
                        .Where(l => l.Leads.Contains(organization) || l.Partners.Contains(organization))
                        .OrderBy(l => l.SortKey)
                        .ToListAsync(ct))
                    : null,
                snapshot => new PortfolioRead(snapshot.Portfolios.GetValueOrDefault(organization) ?? OrganizationPortfolio.Empty(organization),
                    DashboardLines.Sorted(snapshot.Lines.Values.Where(l => l.Involves(organization)))),
                ct,
                InForce(null, business));
            return read.Value.Portfolio.Organization is { } known
                ? Results.Json(
                    DashboardViews.Portfolio(read.Value.Portfolio, known, read.Value.Lines, today, read.Freshness) with { EffectiveOn = business }, ApiJson.Options)
                : Problems.NotFound("Organization", code);
        }, requestAborted);

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/countries/{iso3}", OperationId = "getCountryCoverage")]
    [Tags("Dashboards")]
    [ProducesResponseType<CountryCoverageResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> Country(string iso3, DashboardReads reads, CancellationToken requestAborted, string? effectiveOn = null) =>
        reads.AnswerAsync(async ct =>
        {
            var country = iso3.ToUpperInvariant();
            if (!CountryCodes.IsAssigned(country))
            {
                return Problems.NotFound("Country", iso3);
            }

            var (business, badDay) = EffectiveOn.Read(effectiveOn, DateTimeZone.Utc);
            if (badDay is not null)
            {
                return badDay;
            }

            var today = business?.Day ?? reads.Today();
            var read = await reads.ReadAsync(
                DashboardProjections.CoverageName,
                async session => new CoverageRead(await session.LoadAsync<CountryCoverage>(country, ct) ?? CountryCoverage.Empty(country),
                    await session.Query<DashboardLine>()
                        .Where(l => l.Countries.Contains(country))
                        .OrderBy(l => l.SortKey)
                        .ToListAsync(ct)),
                snapshot => new CoverageRead(snapshot.Coverages.GetValueOrDefault(country) ?? CountryCoverage.Empty(country),
                    DashboardLines.Sorted(snapshot.Lines.Values.Where(l => l.Covers(country)))),
                ct,
                InForce(null, business));
            return Results.Json(
                DashboardViews.Coverage(read.Value.Coverage, read.Value.Lines, today, read.Freshness) with { EffectiveOn = business }, ApiJson.Options);
        }, requestAborted);

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/overdue", OperationId = "listOverdue")]
    [Tags("Dashboards")]
    [ProducesResponseType<CommitmentListResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> Overdue(
        DashboardReads reads, CancellationToken requestAborted, string? meeting = null, string? org = null, int page = 1, int pageSize = 50,
        string? effectiveOn = null) =>
        reads.AnswerAsync(async ct =>
        {
            if (BadPage(page, pageSize) is { } bad)
            {
                return bad;
            }

            var meetingCode = meeting?.ToUpperInvariant();
            var orgCode = org?.ToUpperInvariant();

            // The list of one meeting reads a local time in that meeting's zone; the list across meetings in UTC.
            var zone = effectiveOn is not null && meetingCode is not null
                ? EffectiveOn.ZoneOf((await reads.MeetingAsync(meetingCode, ct))?.TimeZone)
                : DateTimeZone.Utc;
            var (business, badDay) = EffectiveOn.Read(effectiveOn, zone);
            if (badDay is not null)
            {
                return badDay;
            }

            var today = business?.Day ?? reads.Today();
            var read = await reads.ReadAsync(
                DashboardProjections.LineName,
                async session =>
                {
                    IQueryable<DashboardLine> Matching()
                    {
                        var query = session.Query<DashboardLine>()
                            .Where(l => l.MatchesSql("d.data ->> 'dueDate' < ?", today.ToString("yyyy-MM-dd", null)))
                            .Where(l => l.MatchesSql(NotFinal));
                        if (meetingCode is not null)
                        {
                            query = query.Where(l => l.Meeting == meetingCode);
                        }

                        return orgCode is null ? query : query.Where(l => l.Leads.Contains(orgCode) || l.Partners.Contains(orgCode));
                    }

                    var items = await Matching().OrderBy(l => l.SortKey).ToPagedListAsync(page, pageSize, ct);

                    // The total rides on the page's rows; a page past the end has none, so count on its own.
                    var total = items.Count == 0 && page > 1 ? await Matching().CountAsync(ct) : items.TotalItemCount;
                    return new LinePage([.. items], total);
                },
                snapshot =>
                {
                    var all = DashboardLines.Sorted(snapshot.Lines.Values
                        .Where(l => DashboardRules.IsOverdue(l, today))
                        .Where(l => meetingCode is null || l.Meeting == meetingCode)
                        .Where(l => orgCode is null || l.Involves(orgCode)));
                    return LinePage.Of(all, page, pageSize);
                },
                ct,
                InForce(meetingCode, business));

            return ListAnswer(read, page, pageSize, today, business);
        }, requestAborted);

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/dashboard/activity", OperationId = "listActivity")]
    [Tags("Dashboards")]
    [ProducesResponseType<ActivityResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status503ServiceUnavailable)]
    public static Task<IResult> Activity(DashboardReads reads, CancellationToken requestAborted, int limit = 50, long? before = null) =>
        reads.AnswerAsync(async ct =>
        {
            if (limit is < 1 or > MaxActivity)
            {
                return Problems.BadQuery("limit", $"must be between 1 and {MaxActivity}");
            }

            if (before is < 1)
            {
                return Problems.BadQuery("before", "must be a sequence number of 1 or more");
            }

            var until = before ?? long.MaxValue;
            var response = await reads.InSnapshotAsync(async session =>
            {
                var positions = await LedgerPositions.ReadAsync(session, ct);
                var now = reads.Clock.GetCurrentInstant();
                var position = positions.PositionOf(reads.ShardOf(DashboardProjections.ActivityName));
                if (position is { } p && positions.HighWaterMark - p <= reads.ReplayWhenLagAbove)
                {
                    var entries = await session.Query<ActivityEntry>()
                        .Where(a => a.Id < until)
                        .OrderByDescending(a => a.Id)
                        .Take(limit)
                        .ToListAsync(ct);
                    return new ActivityResponse(
                        [.. entries.Select(DashboardViews.Activity)],
                        Freshness.Of(DashboardProjections.ActivityName, Freshness.Async, p, positions.HighWaterMark, now));
                }

                // The feed is one entry per event: without its read model, read the latest events themselves.
                var events = await session.Events.QueryAllRawEvents()
                    .Where(e => e.Sequence < until)
                    .OrderByDescending(e => e.Sequence)
                    .Take(limit)
                    .ToListAsync(ct);
                return new ActivityResponse(
                    [.. events.Select(ActivityEntry.From).Select(DashboardViews.Activity)],
                    Freshness.Of(DashboardProjections.ActivityName, Freshness.Replay, positions.HighWaterMark, positions.HighWaterMark, now));
            }, ct);
            return Results.Json(response, ApiJson.Options);
        }, requestAborted);

    private sealed record LinePage(IReadOnlyList<DashboardLine> Lines, long Total)
    {
        /// <summary>One page of every matching line, in order, with their count.</summary>
        public static LinePage Of(DashboardLine[] all, int page, int pageSize) =>
            new([.. all.Skip((page - 1) * pageSize).Take(pageSize)], all.Length);
    }

    /// <summary>A page of lines as a list answer, judged on <paramref name="today"/> (the business day, when one was asked).</summary>
    private static IResult ListAnswer(DashboardRead<LinePage> read, int page, int pageSize, LocalDate today, EffectiveOn? business) =>
        Results.Json(
            new CommitmentListResponse(
                [.. read.Value.Lines.Select(l => DashboardViews.Summary(l, today))], read.Value.Total, page, pageSize, today, read.Freshness)
            {
                EffectiveOn = business,
            },
            ApiJson.Options);

    /// <summary>A read model's counters and the lines its list shows, read in one snapshot.</summary>
    private sealed record PortfolioRead(OrganizationPortfolio Portfolio, IReadOnlyList<DashboardLine> Lines);

    private sealed record CoverageRead(CountryCoverage Coverage, IReadOnlyList<DashboardLine> Lines);

    private static IResult? BadPage(int page, int pageSize) =>
        page < 1 ? Problems.BadQuery("page", "must be 1 or more")
        : pageSize is < 1 or > MaxPageSize ? Problems.BadQuery("pageSize", $"must be between 1 and {MaxPageSize}")
        : null;

    /// <summary>The replay a dashboard on a business day is computed from (null for today's dashboard): one meeting's streams, or every stream.</summary>
    private static ReplayScope? InForce(string? meeting, EffectiveOn? business) =>
        business is null ? null : new ReplayScope(null, meeting, business.InForceBy);
}
