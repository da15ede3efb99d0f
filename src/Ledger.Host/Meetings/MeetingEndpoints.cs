using Ledger.Domain.Common;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Ledger.Projections.Meetings;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Meetings;

public sealed record MeetingList(IReadOnlyList<MeetingView> Items);

public static class MeetingEndpoints
{
    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/meetings", OperationId = "listMeetings")]
    [Tags("Meetings")]
    public static async Task<MeetingList> List(IQuerySession session, CancellationToken ct)
    {
        var meetings = await session.Query<MeetingView>().ToListAsync(ct);
        return new MeetingList([.. meetings.OrderBy(m => m.Opens.Date)]);
    }

    [Authorize(Policy = LedgerPolicies.Read)]
    [WolverineGet("/api/meetings/{code}", OperationId = "getMeeting")]
    [Tags("Meetings")]
    [ProducesResponseType<MeetingView>(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public static async Task<IResult> Get(string code, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<MeetingView>(StreamKeys.Meeting(code.ToUpperInvariant()), ct) is { } meeting
            ? Results.Json(meeting, ApiJson.Options)
            : Problems.NotFound("Meeting", code);
}
