using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Pledging;
using Ledger.Domain.Common;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Commitments.Pledging;

public class PledgeCommitmentTests
{
    private readonly FakeClock clock = Given.Clock();

    /// <summary>A valid pledge: the Afghanistan Food Security Program of the Astana meeting.</summary>
    private static PledgeCommitment AValidPledge() => new(
        Code: "AST-2024-07",
        Meeting: "AST-2024",
        Title: "Afghanistan Food Security Program",
        Kind: CommitmentKind.Programme,
        Leads: ["IOFS"]);

    private Decision Decide(PledgeCommitment pledge) =>
        pledge.Decide(Given.Catalog, Given.Secretariat, clock.GetCurrentInstant());

    [Fact]
    public void A_valid_pledge_is_recorded_with_the_defaults()
    {
        // Given the reference data, when a minimal pledge is decided
        var pledge = AValidPledge();

        var pledged = Decide(pledge).ShouldYieldSingle<CommitmentPledged>();

        // Then the event says exactly what was pledged, by whom and when
        pledged.ShouldBeEquivalentTo(new CommitmentPledged(
            Code: "AST-2024-07",
            Meeting: "AST-2024",
            Title: "Afghanistan Food Security Program",
            Kind: CommitmentKind.Programme,
            Status: CommitmentStatus.Agreed,
            Leads: ["IOFS"],
            Partners: [],
            Countries: [],
            WorkingSession: null,
            Topic: null,
            Frameworks: [],
            DueDate: null,
            Basis: Basis.Recorded,
            Inferred: new Dictionary<string, string>(),
            Source: null,
            PledgedOn: FactDate.Day(Given.Today),
            RecordedBy: Given.Secretariat,
            RecordedAt: Given.Now));
        pledged.PledgedOn.Precision.ShouldBe(DatePrecision.Day);
        pledged.Partners.ShouldBeEmpty();
        pledged.Countries.ShouldBeEmpty();
        pledged.Frameworks.ShouldBeEmpty();
        pledged.Inferred.ShouldBeEmpty();
    }

    [Fact]
    public void A_full_pledge_carries_every_field_given()
    {
        var source = new SourceStatement("proposed", "IOFS", "Proposed in the welcoming address.", "article");
        var inferred = new Dictionary<string, string> { ["partners"] = "a reading of the article" };
        var pledge = AValidPledge() with
        {
            Partners = ["FAO", "UNRWA"],
            Countries = ["AFG"],
            WorkingSession = 3,
            Topic = "Mobilizing support for humanitarian crises in the OIC region",
            Frameworks = ["UN-2030", "OIC-2025"],
            DueDate = new LocalDate(2026, 12, 31),
            Status = CommitmentStatus.InProgress,
            PledgedOn = FactDate.Day(Given.AstanaOpening),
            Basis = Basis.Stated,
            Inferred = inferred,
            Source = source,
        };

        var pledged = Decide(pledge).ShouldYieldSingle<CommitmentPledged>();

        pledged.ShouldBeEquivalentTo(new CommitmentPledged(
            "AST-2024-07", "AST-2024", "Afghanistan Food Security Program", CommitmentKind.Programme, CommitmentStatus.InProgress,
            Leads: ["IOFS"], Partners: ["FAO", "UNRWA"], Countries: ["AFG"], WorkingSession: 3,
            Topic: "Mobilizing support for humanitarian crises in the OIC region", Frameworks: ["UN-2030", "OIC-2025"],
            DueDate: new LocalDate(2026, 12, 31), Basis.Stated, inferred, source, FactDate.Day(Given.AstanaOpening),
            Given.Secretariat, Given.Now));
    }

    [Fact]
    public void The_pledge_starts_the_commitment_in_the_status_pledged()
    {
        var pledged = Decide(AValidPledge() with { Status = CommitmentStatus.Proposed }).ShouldYieldSingle<CommitmentPledged>();

        var commitment = Given.Replay(pledged);

        commitment.Code.ShouldBe("AST-2024-07");
        commitment.Meeting.ShouldBe("AST-2024");
        commitment.Status.ShouldBe(CommitmentStatus.Proposed);
        commitment.Leads.ShouldBe(["IOFS"]);
        commitment.IsLedBy("IOFS").ShouldBeTrue();
        commitment.IsLedBy("FAO").ShouldBeFalse();
    }

    [Fact]
    public void The_pledge_date_defaults_to_the_clocks_day_not_the_wall_clocks()
    {
        clock.AdvanceDays(10);

        var pledged = Decide(AValidPledge()).ShouldYieldSingle<CommitmentPledged>();

        pledged.PledgedOn.ShouldBe(FactDate.Day(new LocalDate(2025, 3, 24)));
        pledged.RecordedAt.ShouldBe(Given.Now.Plus(Duration.FromDays(10)));
    }

    [Theory]
    [InlineData(CommitmentStatus.Proposed)]
    [InlineData(CommitmentStatus.Agreed)]
    [InlineData(CommitmentStatus.InProgress)]
    public void A_commitment_may_be_pledged_as(CommitmentStatus status)
    {
        Decide(AValidPledge() with { Status = status }).ShouldYieldSingle<CommitmentPledged>().Status.ShouldBe(status);
    }

    [Theory]
    [InlineData("AST-2024")]
    [InlineData("AST-2024-")]
    [InlineData("ast-2024-07")]
    [InlineData("AST-2024-7a")]
    [InlineData("")]
    public void A_malformed_code_is_refused(string code)
    {
        var refusal = Decide(AValidPledge() with { Code = code }).ShouldBeRefusedOn("code");

        refusal.Reason.ShouldContain("AST-2024-06");
        refusal.Kind.ShouldBe(RefusalKind.Invalid);
    }

    [Fact]
    public void A_code_that_does_not_start_with_its_meeting_is_refused()
    {
        var refusal = Decide(AValidPledge() with { Code = "GVA-2022-7" }).ShouldBeRefusedOn("code");

        refusal.Reason.ShouldBe("must start with its meeting's code AST-2024");
    }

    [Fact]
    public void An_unknown_meeting_is_refused()
    {
        var decision = Decide(AValidPledge() with { Code = "RUH-2026-01", Meeting = "RUH-2026" });

        var refusal = decision.ShouldBeRefusedOn("meeting");
        refusal.Reason.ShouldBe("'RUH-2026' is not a known meeting");
        refusal.Kind.ShouldBe(RefusalKind.Unknown);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("   ", "is required")]
    [InlineData("Afghanistan Food\nSecurity Program", "must be a single line without control characters")]
    [InlineData("Afghanistan Food Security\tProgram", "must be a single line without control characters")]
    public void A_title_that_is_empty_or_not_a_single_line_is_refused(string title, string reason)
    {
        Decide(AValidPledge() with { Title = title }).ShouldBeRefusedOn("title").Reason.ShouldBe(reason);
    }

    [Fact]
    public void A_title_longer_than_300_characters_is_refused()
    {
        Decide(AValidPledge() with { Title = new string('t', 301) })
            .ShouldBeRefusedOn("title").Reason.ShouldBe("must be at most 300 characters");
    }

    [Fact]
    public void A_title_of_exactly_300_characters_is_accepted()
    {
        Decide(AValidPledge() with { Title = new string('t', 300) }).ShouldYieldSingle<CommitmentPledged>().Title.Length.ShouldBe(300);
    }

    [Fact]
    public void A_pledge_without_leads_is_refused()
    {
        Decide(AValidPledge() with { Leads = [] }).ShouldBeRefusedOn("leads").Reason.ShouldBe("needs at least one organization");
    }

    [Fact]
    public void A_pledge_with_null_leads_is_refused_not_thrown()
    {
        Decide(AValidPledge() with { Leads = null! }).ShouldBeRefusedOn("leads").Reason.ShouldBe("is required");
    }

    [Fact]
    public void A_pledge_without_a_meeting_is_refused_not_thrown()
    {
        Decide(AValidPledge() with { Meeting = null! }).ShouldBeRefusedOnAll("meeting", "code");
    }

    [Fact]
    public void An_unknown_lead_organization_is_refused_at_its_index()
    {
        var refusal = Decide(AValidPledge() with { Leads = ["WFP"] }).ShouldBeRefusedOn("leads[0]");

        refusal.Reason.ShouldBe("'WFP' is not a known organization");
        refusal.Kind.ShouldBe(RefusalKind.Unknown);
    }

    [Fact]
    public void An_unknown_partner_is_refused_at_its_index()
    {
        Decide(AValidPledge() with { Partners = ["FAO", "WFP"] }).ShouldBeRefusedOn("partners[1]").Reason.ShouldContain("'WFP'");
    }

    [Fact]
    public void A_lead_listed_twice_is_refused()
    {
        Decide(AValidPledge() with { Leads = ["IOFS", "FAO", "IOFS"] })
            .ShouldBeRefusedOn("leads").Reason.ShouldBe("lists IOFS more than once");
    }

    [Fact]
    public void An_organization_cannot_be_both_lead_and_partner()
    {
        Decide(AValidPledge() with { Leads = ["IOFS", "FAO"], Partners = ["FAO"] })
            .ShouldBeRefusedOn("partners").Reason.ShouldBe("an organization cannot be both lead and partner");
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("afg")]
    [InlineData("AF")]
    [InlineData("")]
    public void A_country_that_is_not_an_ISO_alpha_3_code_is_refused(string country)
    {
        var refusal = Decide(AValidPledge() with { Countries = ["AFG", country] }).ShouldBeRefusedOn("countries[1]");

        refusal.Reason.ShouldBe($"'{country}' is not an ISO 3166-1 alpha-3 country code");
        refusal.Kind.ShouldBe(RefusalKind.Unknown);
    }

    [Fact]
    public void A_country_listed_twice_is_refused()
    {
        Decide(AValidPledge() with { Countries = ["AFG", "SOM", "AFG"] }).ShouldBeRefusedOn("countries").Reason.ShouldContain("AFG");
    }

    [Fact]
    public void An_unknown_framework_is_refused()
    {
        var refusal = Decide(AValidPledge() with { Frameworks = ["UN-2030", "SDG-2050"] }).ShouldBeRefusedOn("frameworks[1]");

        refusal.Reason.ShouldBe("'SDG-2050' is not a known framework");
    }

    [Fact]
    public void An_unknown_working_session_is_refused()
    {
        var refusal = Decide(AValidPledge() with { WorkingSession = 4 }).ShouldBeRefusedOn("workingSession");

        refusal.Reason.ShouldBe("meeting AST-2024 has no working session 4");
        refusal.Kind.ShouldBe(RefusalKind.Unknown);
    }

    [Fact]
    public void A_topic_that_is_not_on_the_sessions_agenda_is_refused()
    {
        var refusal = Decide(AValidPledge() with { WorkingSession = 1, Topic = "Islamic finance" }).ShouldBeRefusedOn("topic");

        refusal.Reason.ShouldBe("is not a topic of working session 1 (Cooperation on Political Issues)");
    }

    [Fact]
    public void A_topic_without_a_working_session_is_refused()
    {
        Decide(AValidPledge() with { Topic = "Islamic finance" }).ShouldBeRefusedOn("topic").Reason.ShouldBe("needs a working session");
    }

    [Fact]
    public void A_topic_on_the_sessions_agenda_is_accepted()
    {
        var pledged = Decide(AValidPledge() with { WorkingSession = 3, Topic = "Islamic finance" }).ShouldYieldSingle<CommitmentPledged>();

        pledged.WorkingSession.ShouldBe(3);
        pledged.Topic.ShouldBe("Islamic finance");
    }

    [Theory]
    [InlineData(CommitmentStatus.Completed)]
    [InlineData(CommitmentStatus.Suspended)]
    [InlineData(CommitmentStatus.Withdrawn)]
    [InlineData(CommitmentStatus.CarriedForward)]
    public void A_commitment_cannot_be_pledged_as(CommitmentStatus status)
    {
        Decide(AValidPledge() with { Status = status })
            .ShouldBeRefusedOn("status").Reason.ShouldBe("a commitment is pledged as proposed, agreed or in-progress");
    }

    [Fact]
    public void A_pledge_dated_in_the_future_is_refused()
    {
        Decide(AValidPledge() with { PledgedOn = FactDate.Day(Given.Today.PlusDays(2)) })
            .ShouldBeRefusedOn("pledgedOn").Reason.ShouldBe("cannot be in the future");
    }

    [Fact]
    public void A_pledge_dated_next_month_is_refused_even_when_only_the_month_is_known()
    {
        Decide(AValidPledge() with { PledgedOn = FactDate.Month(new YearMonth(2025, 4)) }).ShouldBeRefusedOn("pledgedOn");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var pledge = new PledgeCommitment(
            Code: "AST-2024",
            Meeting: "AST-2024",
            Title: "",
            Kind: CommitmentKind.Call,
            Leads: ["WFP", "IOFS"],
            Partners: ["IOFS"],
            Countries: ["XXX", "afg"],
            Frameworks: ["SDG-2050"],
            WorkingSession: 9,
            Status: CommitmentStatus.Completed,
            PledgedOn: FactDate.Day(Given.Today.PlusDays(30)));

        Decide(pledge).ShouldBeRefusedOnAll(
            "code", "title", "leads[0]", "countries[0]", "countries[1]", "frameworks[0]", "status", "pledgedOn",
            "partners", "workingSession");
    }
}
