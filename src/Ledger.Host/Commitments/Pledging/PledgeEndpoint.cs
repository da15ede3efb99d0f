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
    CommitmentStatus? Status)
{
    /// <summary>
    /// The domain command this request asks for, or the problem when a field the command cannot do without is
    /// missing: the one mapping of a pledge's body, for the pledge endpoint and for every line of an import.
    /// Codes are compared in capitals; a line of a matrix may leave its meeting to <paramref name="defaultMeeting"/>.
    /// </summary>
    /// <param name="field">The prefix of the fields named in a problem (<c>commitments[3].</c> for a line of a matrix).</param>
    /// <param name="defaultMeeting">The meeting of a line that names none (a matrix's own).</param>
    public (PledgeCommitment? Command, IResult? Problem) ToCommand(string field = "", string? defaultMeeting = null)
    {
        if (Kind is not { } kind)
        {
            return (null, Problems.BadRequest(field + "kind", "is required"));
        }

        return (new PledgeCommitment(
            Code?.ToUpperInvariant()!, (Meeting ?? defaultMeeting)?.ToUpperInvariant()!, Title!, kind, Codes.Normalize(Leads)!,
            Codes.Normalize(Partners), Codes.Normalize(Countries), WorkingSession, Topic, Codes.Normalize(Frameworks), DueDate, Status ?? CommitmentStatus.Agreed), null);
    }
}

public static class PledgeEndpoint
{
    [WolverinePost("/api/commitments", OperationId = "pledgeCommitment")]
    [Tags("Commitments")]
    [Authorize(Policy = LedgerPolicies.Secretariat)]
    [LedgerWrite]
    [ProducesResponseType<WriteResult>(StatusCodes.Status201Created)]
    public static Task<IResult> Post(PledgeRequest body, HttpContext http, CommitmentWriter writer, CancellationToken ct)
    {
        var (command, problem) = body.ToCommand();
        return command is null ? Task.FromResult(problem!) : writer.PledgeAsync(http, command, ct);
    }
}
