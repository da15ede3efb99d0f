using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Commitments.Amending;

/// <summary>Correct or update a commitment's descriptive fields. Null fields stay as they are.</summary>
public sealed record AmendCommitment(
    string Reason,
    string? Title = null,
    CommitmentKind? Kind = null,
    IReadOnlyList<string>? Leads = null,
    IReadOnlyList<string>? Partners = null,
    IReadOnlyList<string>? Countries = null,
    int? WorkingSession = null,
    string? Topic = null,
    IReadOnlyList<string>? Frameworks = null,
    LocalDate? DueDate = null)
{
    public Decision Decide(Commitment current, ReferenceCatalog catalog, Actor by, Instant now)
    {
        if (CommitmentLifecycle.IsTerminal(current.Status))
        {
            return Decision.Refuse(new Refusal(
                $"the commitment is {CommitmentLifecycle.Describe(current.Status)}, which is final; it can no longer be amended",
                "status", RefusalKind.NotAllowed));
        }

        // Record only what actually changes, so the history says exactly what was amended.
        var title = Title is not null && Title != current.Title ? Title : null;
        var kind = Kind is not null && Kind != current.Kind ? Kind : null;
        var leads = Changed(Leads, current.Leads);
        var partners = Changed(Partners, current.Partners);
        var countries = Changed(Countries, current.Countries);
        var frameworks = Changed(Frameworks, current.Frameworks);
        var session = WorkingSession is not null && WorkingSession != current.WorkingSession ? WorkingSession : null;
        var topic = Topic is not null && Topic != current.Topic ? Topic : null;
        var dueDate = DueDate is not null && DueDate != current.DueDate ? DueDate : null;

        var v = new Validation()
            .Text(Reason, "reason", CommitmentRules.ReasonMaxLength, multiline: true)
            .Require(Title is null || !string.IsNullOrWhiteSpace(Title), "title", "cannot be blank")
            .Text(Title, "title", CommitmentRules.TitleMaxLength, required: false)
            .Defined(Kind, "kind")
            .Text(Topic, "topic", CommitmentRules.TopicMaxLength, required: false)
            .Organizations(Leads, "leads", catalog, required: Leads is not null)
            .Organizations(Partners, "partners", catalog, required: false)
            .Countries(Countries)
            .Frameworks(Frameworks, catalog)
            .SessionAndTopic(current.Meeting, WorkingSession ?? current.WorkingSession, Topic ?? current.Topic, catalog);

        if ((Leads ?? current.Leads).Intersect(Partners ?? current.Partners, StringComparer.Ordinal).Any())
        {
            v.Add("partners", "an organization cannot be both lead and partner");
        }

        if (!v.HasErrors && title is null && kind is null && leads is null && partners is null && countries is null
            && frameworks is null && session is null && topic is null && dueDate is null)
        {
            v.Add("body", "changes nothing: every field given equals the commitment's current value");
        }

        return v.Then(() => Decision.Accept(new CommitmentAmended(
            current.Code, title, kind, leads, partners, countries, session, topic, frameworks, dueDate, Reason, by, now)));
    }

    private static IReadOnlyList<string>? Changed(IReadOnlyList<string>? proposed, IReadOnlyList<string> current) =>
        proposed is not null && !proposed.SequenceEqual(current, StringComparer.Ordinal) ? proposed : null;
}
