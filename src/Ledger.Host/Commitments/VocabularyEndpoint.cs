using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Ledger.Host.Commitments;

/// <summary>A status, whether a progress report may set it, and the statuses it may move to.</summary>
public sealed record StatusTerm(CommitmentStatus Name, bool Reportable, bool Final, IReadOnlyList<CommitmentStatus> Next);

/// <summary>The values the writes accept, read from the domain: what a form offers and a client validates against.</summary>
public sealed record Vocabulary(
    IReadOnlyList<StatusTerm> Statuses,
    IReadOnlyList<ReviewRating> Ratings,
    IReadOnlyList<ReviewOutcome> Decisions,
    IReadOnlyList<CommitmentKind> Kinds,
    IReadOnlyList<string> Roles,
    IReadOnlyList<IndicatorMeasure> Measures);

public static class VocabularyEndpoint
{
    private static readonly Vocabulary Terms = new(
        [.. Enum.GetValues<CommitmentStatus>().Select(s => new StatusTerm(
            s, CommitmentLifecycle.ReportableStatuses.Contains(s), CommitmentLifecycle.IsTerminal(s), CommitmentLifecycle.AllowedAfter(s)))],
        Enum.GetValues<ReviewRating>(),
        Enum.GetValues<ReviewOutcome>(),
        Enum.GetValues<CommitmentKind>(),
        LedgerRoles.All,
        Enum.GetValues<IndicatorMeasure>());

    /// <summary>Statuses in lifecycle order with their allowed transitions, review ratings and decisions, kinds, roles and indicator measures (IATI's), as the API spells them.</summary>
    [WolverineGet("/api/vocabulary", OperationId = "getVocabulary")]
    [Authorize(Policy = LedgerPolicies.Read)]
    [Tags("Commitments")]
    public static Vocabulary Get() => Terms;
}
