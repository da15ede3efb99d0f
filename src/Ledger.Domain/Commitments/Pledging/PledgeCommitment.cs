using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments.Pledging;

/// <summary>Enter a new commitment of a meeting in the ledger.</summary>
public sealed record PledgeCommitment(
    string Code,
    string Meeting,
    string Title,
    CommitmentKind Kind,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string>? Partners = null,
    IReadOnlyList<string>? Countries = null,
    int? WorkingSession = null,
    string? Topic = null,
    IReadOnlyList<string>? Frameworks = null,
    LocalDate? DueDate = null,
    CommitmentStatus Status = CommitmentStatus.Agreed,
    FactDate? PledgedOn = null,
    Basis Basis = Basis.Recorded,
    IReadOnlyDictionary<string, string>? Inferred = null,
    SourceStatement? Source = null)
{
    /// <summary>Decides whether the pledge may be recorded. Whether the code is still free is the event store's to say.</summary>
    public Decision Decide(ReferenceCatalog catalog, Actor by, Instant now)
    {
        var today = now.InUtc().Date;
        var v = new Validation()
            .Require(CommitmentCode.IsWellFormed(Code), "code", "must look like AST-2024-06: the meeting code, a dash and a number")
            .Require(catalog.IsMeeting(Meeting), "meeting", $"'{Meeting}' is not a known meeting", RefusalKind.Unknown)
            .Text(Title, "title", CommitmentRules.TitleMaxLength)
            .Defined<CommitmentKind>(Kind, "kind")
            .Text(Topic, "topic", CommitmentRules.TopicMaxLength, required: false)
            .Organizations(Leads, "leads", catalog, required: true)
            .Organizations(Partners, "partners", catalog, required: false)
            .Countries(Countries)
            .Frameworks(Frameworks, catalog)
            .Require(CommitmentLifecycle.InitialStatuses.Contains(Status), "status",
                "a commitment is pledged as proposed, agreed or in-progress")
            .Require(PledgedOn is null || PledgedOn.Date <= today.PlusDays(1), "pledgedOn", "cannot be in the future");

        if (CommitmentCode.IsWellFormed(Code) && CommitmentCode.MeetingOf(Code) != Meeting)
        {
            v.Add("code", $"must start with its meeting's code {Meeting}");
        }

        if (Leads is not null && Partners is not null && Leads.Intersect(Partners, StringComparer.Ordinal).Any())
        {
            v.Add("partners", "an organization cannot be both lead and partner");
        }

        if (catalog.IsMeeting(Meeting))
        {
            v.SessionAndTopic(Meeting, WorkingSession, Topic, catalog);
        }

        return v.Then(() => Decision.Accept(new CommitmentPledged(
            Code, Meeting, Title, Kind, Status, Leads!, Partners ?? [], Countries ?? [], WorkingSession, Topic,
            Frameworks ?? [], DueDate, Basis, Inferred ?? new Dictionary<string, string>(), Source,
            PledgedOn ?? FactDate.Day(today), by, now)));
    }
}
