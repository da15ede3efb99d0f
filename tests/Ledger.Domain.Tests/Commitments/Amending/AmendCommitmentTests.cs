using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Amending;
using Ledger.Domain.Common;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;
using static Ledger.Domain.Commitments.CommitmentStatus;

namespace Ledger.Domain.Tests.Commitments.Amending;

public class AmendCommitmentTests
{
    private const string Reason = "The letter of intent names Gambia too.";

    private readonly FakeClock clock = Given.Clock();

    private Decision Decide(Commitment current, AmendCommitment amend) =>
        amend.Decide(current, Given.Catalog, Given.Secretariat, clock.GetCurrentInstant());

    [Fact]
    public void An_amendment_records_only_the_fields_that_change()
    {
        // Given the IOFS-FAO letter of intent, agreed
        var current = Given.CommitmentIn(Agreed);

        // When it is amended with its own title and leads, and one more country
        var amend = new AmendCommitment(
            Reason,
            Title: current.Title,
            Leads: ["IOFS", "FAO"],
            Countries: ["AFG", "TCD", "DJI", "GMB"]);
        var amended = Decide(current, amend).ShouldYieldSingle<CommitmentAmended>();

        // Then only the countries are recorded as changed
        amended.ShouldBeEquivalentTo(new CommitmentAmended(
            Given.Code, Title: null, Kind: null, Leads: null, Partners: null, Countries: ["AFG", "TCD", "DJI", "GMB"],
            WorkingSession: null, Topic: null, Frameworks: null, DueDate: null, Reason, Given.Secretariat, Given.Now));

        // And applying it changes the countries and nothing else
        Given.Then(current, amended).ShouldBeEquivalentTo(current with { Countries = ["AFG", "TCD", "DJI", "GMB"] });
    }

    [Fact]
    public void An_amendment_can_change_every_descriptive_field()
    {
        var current = Given.Replay(Given.GenevaLine());
        var amend = new AmendCommitment(
            "Wording agreed with the focal points.",
            Title: "South-South cooperation on food security",
            Kind: CommitmentKind.Programme,
            Leads: ["IOFS"],
            Partners: ["FAO"],
            Countries: ["KAZ"],
            WorkingSession: 2,
            Topic: "Transport",
            Frameworks: ["UN-2030"],
            DueDate: new LocalDate(2026, 6, 30));

        var amended = Decide(current, amend).ShouldYieldSingle<CommitmentAmended>();

        amended.ShouldBeEquivalentTo(new CommitmentAmended(
            "GVA-2022-2.3", "South-South cooperation on food security", CommitmentKind.Programme, ["IOFS"], ["FAO"], ["KAZ"],
            WorkingSession: null, "Transport", ["UN-2030"], new LocalDate(2026, 6, 30),
            "Wording agreed with the focal points.", Given.Secretariat, Given.Now));
        Given.Then(current, amended).ShouldBeEquivalentTo(current with
        {
            Title = "South-South cooperation on food security",
            Kind = CommitmentKind.Programme,
            Leads = ["IOFS"],
            Partners = ["FAO"],
            Countries = ["KAZ"],
            Topic = "Transport",
            Frameworks = ["UN-2030"],
            DueDate = new LocalDate(2026, 6, 30),
        });
    }

    [Fact]
    public void An_amendment_that_changes_nothing_is_refused()
    {
        var current = Given.CommitmentIn(InProgress);

        var amend = new AmendCommitment(Reason, current.Title, current.Kind, ["IOFS", "FAO"], [], ["AFG", "TCD", "DJI"]);

        Decide(current, amend).ShouldBeRefusedOn("body").Reason.ShouldStartWith("changes nothing");
    }

    [Fact]
    public void An_amendment_that_gives_no_field_is_refused()
    {
        Decide(Given.CommitmentIn(InProgress), new AmendCommitment(Reason)).ShouldBeRefusedOn("body");
    }

    [Theory]
    [InlineData(Proposed)]
    [InlineData(Suspended)]
    public void A_commitment_that_is_not_final_can_be_amended(CommitmentStatus status)
    {
        var current = Given.CommitmentIn(status);

        var amended = Decide(current, new AmendCommitment(Reason, Kind: CommitmentKind.Programme)).ShouldYieldSingle<CommitmentAmended>();

        Given.Then(current, amended).ShouldBe(current with { Kind = CommitmentKind.Programme });
    }

    [Theory]
    [InlineData(Completed, "completed")]
    [InlineData(Withdrawn, "withdrawn")]
    [InlineData(CarriedForward, "carried-forward")]
    public void A_final_commitment_cannot_be_amended(CommitmentStatus status, string described)
    {
        var refusal = Decide(Given.CommitmentIn(status), new AmendCommitment(Reason, Title: "A better title")).ShouldBeRefusedOn("status");

        refusal.Reason.ShouldContain(described);
        refusal.Reason.ShouldContain("final");
        refusal.Kind.ShouldBe(RefusalKind.NotAllowed);
    }

    [Fact]
    public void An_amendment_needs_a_reason()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment("", Title: "A better title")).ShouldBeRefusedOn("reason");
    }

    [Fact]
    public void An_unknown_lead_is_refused_at_its_index()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Leads: ["WFP", "FAO"]))
            .ShouldBeRefusedOn("leads[0]").Reason.ShouldBe("'WFP' is not a known organization");
    }

    [Fact]
    public void Leads_cannot_be_amended_to_none()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Leads: []))
            .ShouldBeRefusedOn("leads").Reason.ShouldBe("needs at least one organization");
    }

    [Fact]
    public void A_new_partner_that_is_already_a_lead_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Partners: ["FAO"]))
            .ShouldBeRefusedOn("partners").Reason.ShouldBe("an organization cannot be both lead and partner");
    }

    [Fact]
    public void A_bad_country_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Countries: ["AFG", "afg"])).ShouldBeRefusedOn("countries[1]");
    }

    [Fact]
    public void An_unknown_framework_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Frameworks: ["SDG-2050"])).ShouldBeRefusedOn("frameworks[0]");
    }

    [Theory]
    [InlineData(301)]
    [InlineData(1000)]
    public void A_title_longer_than_300_characters_is_refused(int length)
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Title: new string('t', length)))
            .ShouldBeRefusedOn("title").Reason.ShouldBe("must be at most 300 characters");
    }

    [Fact]
    public void A_multi_line_title_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Title: "Letter\nof intent")).ShouldBeRefusedOn("title");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_amendment_cannot_blank_the_title(string title)
    {
        // A pledge requires a title; an amendment must not be able to take it away.
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Title: title)).ShouldBeRefusedOn("title");
    }

    [Fact]
    public void A_topic_outside_the_current_working_session_is_refused()
    {
        Decide(Given.Replay(Given.GenevaLine()), new AmendCommitment(Reason, Topic: "Islamic finance"))
            .ShouldBeRefusedOn("topic").Reason.ShouldBe("is not a topic of working session 2 (Cooperation on Economic and Scientific Issues)");
    }

    [Fact]
    public void Moving_to_another_session_without_a_topic_of_it_is_refused()
    {
        Decide(Given.Replay(Given.GenevaLine()), new AmendCommitment(Reason, WorkingSession: 3)).ShouldBeRefusedOn("topic");
    }

    [Fact]
    public void Moving_to_another_session_with_one_of_its_topics_is_accepted()
    {
        var amended = Decide(Given.Replay(Given.GenevaLine()), new AmendCommitment(Reason, WorkingSession: 3, Topic: "Islamic finance"))
            .ShouldYieldSingle<CommitmentAmended>();

        amended.WorkingSession.ShouldBe(3);
        amended.Topic.ShouldBe("Islamic finance");
    }

    [Fact]
    public void An_unknown_working_session_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, WorkingSession: 7)).ShouldBeRefusedOn("workingSession");
    }

    [Fact]
    public void A_topic_without_a_working_session_is_refused()
    {
        Decide(Given.CommitmentIn(Agreed), new AmendCommitment(Reason, Topic: "Islamic finance"))
            .ShouldBeRefusedOn("topic").Reason.ShouldBe("needs a working session");
    }
}
