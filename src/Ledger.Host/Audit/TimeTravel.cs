using System.Security.Claims;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Projections.Commitments;
using Marten;
using Marten.Linq.MatchesSql;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Host.Audit;

/// <summary>
/// A commitment as it stood: by recorded time (<c>asOf</c>: what the ledger held at that instant),
/// by version, or by business date (<c>effectiveOn</c>: what was true on that date according to
/// everything recorded since, or up to <c>asOf</c> when both are given).
/// </summary>
public static class TimeTravel
{
    public static bool IsRequested(string? asOf, long? version, string? effectiveOn) =>
        asOf is not null || version is not null || effectiveOn is not null;

    /// <summary>
    /// Past states (a commitment's, or a board's) are for auditors: null when the caller may see them, otherwise the
    /// 401/403 problem naming <paramref name="what"/>.
    /// </summary>
    public static IResult? Refuse(ClaimsPrincipal user, string what = "A commitment's past states")
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: $"{what} are for auditors: send an auditor's bearer token.", type: Problems.TypeBase + "unauthorized");
        }

        return user.IsInRole(LedgerRoles.Auditor) ? null : Problems.Forbidden($"{what} are for auditors.");
    }

    public static async Task<IResult> StateAsync(
        IQuerySession session, string code, string? asOf, long? version, string? effectiveOn, HttpResponse response, CancellationToken ct)
    {
        Instant? recordedBy = null;
        if (asOf is not null)
        {
            var parsed = InstantPattern.ExtendedIso.Parse(asOf);
            if (!parsed.Success)
            {
                return Problems.BadQuery("asOf", "must be an ISO instant such as 2024-07-22T04:00:00Z");
            }

            recordedBy = parsed.Value;
        }

        LocalDate? trueOn = null;
        if (effectiveOn is not null)
        {
            var parsed = LocalDatePattern.Iso.Parse(effectiveOn);
            if (!parsed.Success)
            {
                return Problems.BadQuery("effectiveOn", "must be a date such as 2024-07-22");
            }

            trueOn = parsed.Value;
        }

        if (version is < 1)
        {
            return Problems.BadQuery("version", "must be 1 or more");
        }

        // By recorded time or version, the replay starts from the nearest checkpoint at or before the point asked for
        // (CommitmentCheckpoint): at most a run of events is read and folded, whatever the stream's length. A business
        // date selects events out of their order, so it folds the whole stream.
        var start = trueOn is null ? await CheckpointAsync(session, code, version, recordedBy, ct) : null;
        var events = start is not null && start.Version == version
            ? []
            : await session.Events.FetchStreamAsync(code, version ?? 0, recordedBy?.ToDateTimeOffset(), (start?.Version ?? 0) + 1, ct);
        if (start is null && events.Count == 0 && await session.Events.FetchStreamStateAsync(code, ct) is null)
        {
            return Problems.NotFound("Commitment", code);
        }

        var chosen = events
            .Where(e => trueOn is null || EffectiveDate(e.Data, e.Timestamp) <= trueOn)
            .Select(e => (e.Version, e.Data));
        var view = CommitmentReplay.Replay(start?.View, chosen);
        if (view is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Commitment did not exist then",
                detail: $"Commitment {code} had not been recorded (or pledged) at that point.", type: Problems.TypeBase + "not-found");
        }

        response.Headers.ETag = $"\"{view.Version}\"";
        return Results.Json(view, ApiJson.Options);
    }

    /// <summary>The latest checkpoint of the stream at or before <paramref name="version"/> whose events were all recorded by <paramref name="recordedBy"/>.</summary>
    private static Task<CommitmentCheckpoint?> CheckpointAsync(IQuerySession session, string code, long? version, Instant? recordedBy, CancellationToken ct)
    {
        var (from, to) = CommitmentCheckpoint.IdRange(code);
        var upTo = version ?? long.MaxValue;
        var by = recordedBy is { } instant ? instant.ToDateTimeOffset() : DateTimeOffset.MaxValue;
        return session.Query<CommitmentCheckpoint>()
            .Where(c => c.MatchesSql(
                "d.id between ? and ? and (d.data ->> 'version')::bigint <= ? and (d.data ->> 'reachedAt')::timestamptz <= ?",
                from, to, upTo, by))
            .OrderByDescending(c => c.Id)
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>The business date an event refers to (<see cref="EffectiveTime.DayOf"/>), or the (UTC) date it was recorded when it has none.</summary>
    private static LocalDate EffectiveDate(object data, DateTimeOffset recorded) =>
        EffectiveTime.DayOf(data) ?? EffectiveTime.From(data, Instant.FromDateTimeOffset(recorded), DateTimeZone.Utc).InUtc().Date;
}
