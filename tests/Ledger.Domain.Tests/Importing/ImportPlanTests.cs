using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Importing;

/// <summary>Planning the import of the data file the ledger ships, into an empty ledger and into one that has it all.</summary>
public class ImportPlanTests
{
    private const string Astana = "AST-2024";
    private const string Geneva = "GVA-2022";

    private static readonly string[] JointLeads = ["UN", "OIC"];

    private readonly FakeClock clock = Given.Clock();
    private readonly MeetingsData data = ShippedData.Load();

    private ImportPlan PlanIntoEmptyLedger() => ImportPlan.For(data, _ => false, Given.Importer, clock.GetCurrentInstant());

    private static IReadOnlyList<object> EventsOf(ImportPlan plan, string key) => plan.Streams.Single(s => s.Key == key).Events;

    private static CommitmentPledged PledgeOf(ImportPlan plan, string code) =>
        EventsOf(plan, StreamKeys.Commitment(code))[0].ShouldBeOfType<CommitmentPledged>();

    private static List<CommitmentPledged> Pledges(ImportPlan plan, string meeting) =>
        [.. plan.Streams.Select(s => s.Events[0]).OfType<CommitmentPledged>().Where(p => p.Meeting == meeting)];

    [Fact]
    public void The_shipped_file_is_read()
    {
        data.Meetings.Select(m => m.Code).ShouldBe([Geneva, Astana]);
        data.Meetings[0].Month.ShouldBe(new YearMonth(2022, 7));
        data.Meetings[0].StartDate.ShouldBeNull();
        data.Meetings[1].StartDate.ShouldBe(new LocalDate(2024, 7, 22));
        data.GenevaMatrixLines.ShouldNotBeNull().Month.ShouldBe(new YearMonth(2022, 7));
    }

    [Fact]
    public void Everything_in_the_file_is_planned_and_nothing_is_refused()
    {
        var plan = PlanIntoEmptyLedger();

        plan.Report.Refused.ShouldBeEmpty();
        plan.Report.AlreadyPresent.ShouldBeEmpty();
        plan.Streams.Select(s => s.Events[0]).OfType<OrganizationRegistered>().Select(o => o.Code)
            .ShouldBe(["UN", "OIC", "IOFS", "FAO", "UNRWA", "KAZ-MFA"]);
        plan.Streams.Select(s => s.Events[0]).OfType<FrameworkRegistered>().Select(f => f.Code).ShouldBe(["UN-2030", "OIC-2025"]);
        plan.Streams.Select(s => s.Events[0]).OfType<MeetingRegistered>().Select(m => m.Code).ShouldBe([Geneva, Astana]);
        Pledges(plan, Astana).Select(p => p.Code).ShouldBe(Enumerable.Range(1, 9).Select(i => $"AST-2024-0{i}"));
        Pledges(plan, Geneva).Count.ShouldBe(31);

        plan.Streams.Count.ShouldBe(6 + 2 + 2 + 9 + 31);
        plan.Report.Created.ShouldBe(plan.Streams.Select(s => s.Key));
        plan.Report.EventCount.ShouldBe(plan.Streams.Count + 2); // two pledges are followed by a progress report
    }

    [Fact]
    public void Reference_streams_are_keyed_by_prefix_and_commitments_by_code()
    {
        var keys = PlanIntoEmptyLedger().Report.Created;

        keys.ShouldContain("organization:IOFS");
        keys.ShouldContain("framework:OIC-2025");
        keys.ShouldContain("meeting:AST-2024");
        keys.ShouldContain("AST-2024-06");
        keys.ShouldContain("GVA-2022-2.3");
    }

    [Fact]
    public void Every_event_is_recorded_by_the_importer_at_the_clocks_instant()
    {
        var plan = PlanIntoEmptyLedger();

        foreach (var e in plan.Streams.SelectMany(s => s.Events))
        {
            var recorded = e switch
            {
                OrganizationRegistered o => (o.RecordedBy, o.RecordedAt),
                FrameworkRegistered f => (f.RecordedBy, f.RecordedAt),
                MeetingRegistered m => (m.RecordedBy, m.RecordedAt),
                CommitmentPledged p => (p.RecordedBy, p.RecordedAt),
                ProgressReported r => (r.RecordedBy, r.RecordedAt),
                _ => throw new InvalidOperationException($"unexpected {e.GetType().Name} in the plan"),
            };
            recorded.ShouldBe((Given.Importer, Given.Now));
        }
    }

    [Fact]
    public void Organizations_are_registered_with_their_family()
    {
        var plan = PlanIntoEmptyLedger();

        EventsOf(plan, "organization:IOFS").ShouldHaveSingleItem().ShouldBe(new OrganizationRegistered(
            "IOFS", "Islamic Organization for Food Security", OrganizationFamily.OIC, "host of AST-2024", Given.Importer, Given.Now));
        EventsOf(plan, "organization:KAZ-MFA").ShouldHaveSingleItem().ShouldBeOfType<OrganizationRegistered>()
            .Family.ShouldBe(OrganizationFamily.HostGovernment);
    }

    [Fact]
    public void Geneva_2022_matrix_lines_are_planned_per_agenda_topic_of_each_session()
    {
        var lines = Pledges(PlanIntoEmptyLedger(), Geneva);

        lines.Count(l => l.WorkingSession == 1).ShouldBe(8);
        lines.Count(l => l.WorkingSession == 2).ShouldBe(14);
        lines.Count(l => l.WorkingSession == 3).ShouldBe(9);
        lines.ShouldAllBe(l => l.Basis == Basis.AgendaTopic);
        lines.ShouldAllBe(l => l.Kind == CommitmentKind.MatrixLine);
        lines.ShouldAllBe(l => l.Status == CommitmentStatus.Agreed);
        lines.ShouldAllBe(l => l.Title == "Cooperation on " + l.Topic);
        lines.ShouldAllBe(l => l.PledgedOn == FactDate.Month(new YearMonth(2022, 7)));
        lines.ShouldAllBe(l => l.Leads.SequenceEqual(JointLeads));
        lines.ShouldAllBe(l => l.Inferred.ContainsKey("status") && l.Inferred.ContainsKey("title") && l.Inferred.ContainsKey("leads"));
    }

    [Fact]
    public void A_geneva_line_is_dated_by_its_month_only()
    {
        var line = PledgeOf(PlanIntoEmptyLedger(), "GVA-2022-1.1");

        line.PledgedOn.Precision.ShouldBe(DatePrecision.Month);
        line.PledgedOn.Date.ShouldBe(new LocalDate(2022, 7, 1));
        line.PledgedOn.IsApproximate.ShouldBeTrue();
    }

    [Fact]
    public void GVA_2022_2_3_is_South_South_cooperation_projects()
    {
        var plan = PlanIntoEmptyLedger();

        var line = EventsOf(plan, "GVA-2022-2.3").ShouldHaveSingleItem().ShouldBeOfType<CommitmentPledged>();

        line.Meeting.ShouldBe(Geneva);
        line.WorkingSession.ShouldBe(2);
        line.Topic.ShouldBe("South-South cooperation projects");
        line.Title.ShouldBe("Cooperation on South-South cooperation projects");
        line.Source.ShouldBe(new SourceStatement("agenda-topic", null, "South-South cooperation projects", ImportPlan.SourceName));
    }

    [Fact]
    public void The_last_geneva_lines_of_each_session_are_numbered_by_topic()
    {
        var plan = PlanIntoEmptyLedger();

        PledgeOf(plan, "GVA-2022-1.8").Topic.ShouldBe("Rule of law");
        PledgeOf(plan, "GVA-2022-2.14").Topic.ShouldBe("Information and Communication Technology");
        PledgeOf(plan, "GVA-2022-3.9").Topic.ShouldBe(
            "Mechanisms for supporting internally displaced persons, refugees, and stateless persons");
        plan.Report.Created.ShouldNotContain("GVA-2022-1.9");
    }

    [Fact]
    public void The_letter_of_intent_names_its_nine_countries_and_both_leads()
    {
        var letter = PledgeOf(PlanIntoEmptyLedger(), "AST-2024-06");

        letter.Countries.ShouldBe(["AFG", "TCD", "DJI", "GMB", "KAZ", "MRT", "NGA", "SOM", "TJK"]);
        letter.Leads.ShouldBe(["IOFS", "FAO"]);
        letter.Kind.ShouldBe(CommitmentKind.Agreement);
        letter.Status.ShouldBe(CommitmentStatus.Agreed);
        letter.Basis.ShouldBe(Basis.Stated);
        letter.PledgedOn.ShouldBe(FactDate.Day(new LocalDate(2024, 7, 22)));
    }

    [Theory]
    [InlineData("AST-2024-07")]
    [InlineData("AST-2024-08")]
    public void An_ongoing_initiative_is_pledged_agreed_then_reported_in_progress(string code)
    {
        var events = EventsOf(PlanIntoEmptyLedger(), code);

        events.Count.ShouldBe(2);
        var pledged = events[0].ShouldBeOfType<CommitmentPledged>();
        var reported = events[1].ShouldBeOfType<ProgressReported>();
        reported.ShouldBe(new ProgressReported(
            code, CommitmentStatus.InProgress, pledged.Source!.Text!, Indicators: [],
            FactDate.Day(new LocalDate(2024, 7, 22)), pledged.Source, Given.Importer, Given.Now));
        reported.Narrative.ShouldStartWith("The Director-General underscored successes in humanitarian initiatives");
        Given.Replay([.. events]).Status.ShouldBe(CommitmentStatus.InProgress);
    }

    [Fact]
    public void Only_the_ongoing_initiatives_get_a_progress_report()
    {
        var plan = PlanIntoEmptyLedger();

        plan.Streams.Where(s => s.Events.Count > 1).Select(s => s.Key).ShouldBe(["AST-2024-07", "AST-2024-08"]);
        plan.Streams.SelectMany(s => s.Events).OfType<ProgressReported>().Count().ShouldBe(2);
    }

    [Fact]
    public void Astana_commitments_keep_the_articles_words()
    {
        var call = PledgeOf(PlanIntoEmptyLedger(), "AST-2024-01");

        call.Source.ShouldBe(new SourceStatement(
            "called-for", "IOFS",
            "The Director-General emphasized the imperative of enhanced coordination to effectively implement the agreed-upon Matrix.",
            ImportPlan.SourceName));
    }

    [Theory]
    [InlineData("AST-2024-01", CommitmentStatus.Proposed)]   // called for
    [InlineData("AST-2024-06", CommitmentStatus.Agreed)]     // signing announced
    [InlineData("AST-2024-07", CommitmentStatus.Agreed)]     // progress reported
    [InlineData("AST-2024-08", CommitmentStatus.Agreed)]     // progress reported
    [InlineData("AST-2024-09", CommitmentStatus.Proposed)]   // called for
    public void A_status_that_is_a_reading_of_the_article_says_so(string code, CommitmentStatus status)
    {
        var pledge = PledgeOf(PlanIntoEmptyLedger(), code);

        pledge.Status.ShouldBe(status);
        pledge.Inferred.ShouldContainKey("status");
        pledge.Inferred["status"].ShouldStartWith("the article");
    }

    [Theory]
    [InlineData("AST-2024-02")]
    [InlineData("AST-2024-03")]
    [InlineData("AST-2024-04")]
    [InlineData("AST-2024-05")]
    public void A_literally_proposed_commitment_has_no_status_reading_but_keeps_the_files_own(string code)
    {
        var pledge = PledgeOf(PlanIntoEmptyLedger(), code);

        pledge.Status.ShouldBe(CommitmentStatus.Proposed);
        pledge.Inferred.Keys.ShouldBe(["partners"]);
        pledge.Source.ShouldNotBeNull().Fact.ShouldBe("proposed");
    }

    [Fact]
    public void A_reading_given_by_the_file_is_kept_beside_the_status_reading()
    {
        var programme = PledgeOf(PlanIntoEmptyLedger(), "AST-2024-07");

        programme.Inferred.Keys.ShouldBe(["workingSession", "status"], ignoreOrder: true);
        programme.WorkingSession.ShouldBe(3);
    }

    [Fact]
    public void Astana_is_registered_with_its_three_working_sessions_and_Geneva_with_none()
    {
        var plan = PlanIntoEmptyLedger();

        var astana = EventsOf(plan, "meeting:AST-2024").ShouldHaveSingleItem().ShouldBeOfType<MeetingRegistered>();
        var geneva = EventsOf(plan, "meeting:GVA-2022").ShouldHaveSingleItem().ShouldBeOfType<MeetingRegistered>();

        astana.Sessions.Select(s => s.Number).ShouldBe([1, 2, 3]);
        astana.Sessions[2].CrisisAreas.Count.ShouldBe(7);
        astana.Sessions[0].CrisisAreas.ShouldBeEmpty();
        astana.Reviews.ShouldBe(Geneva);
        astana.Opens.ShouldBe(FactDate.Day(new LocalDate(2024, 7, 22)));
        astana.Participants.ShouldBe(100);
        geneva.Sessions.ShouldBeEmpty();
        geneva.Opens.ShouldBe(FactDate.Month(new YearMonth(2022, 7)));
        geneva.Participants.ShouldBeNull();
    }

    [Fact]
    public void Planning_again_against_a_ledger_that_holds_everything_starts_no_stream()
    {
        // Given a ledger into which the first plan was imported
        var first = PlanIntoEmptyLedger();
        var present = first.Streams.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

        // When the same data is planned again, a day later
        clock.AdvanceDays(1);
        var again = ImportPlan.For(data, present.Contains, Given.Importer, clock.GetCurrentInstant());

        // Then nothing is started and everything is reported as already there
        again.Streams.ShouldBeEmpty();
        again.Report.Created.ShouldBeEmpty();
        again.Report.Refused.ShouldBeEmpty();
        again.Report.EventCount.ShouldBe(0);
        again.Report.AlreadyPresent.ShouldBe(first.Report.Created);
    }

    [Fact]
    public void Planning_against_a_partly_imported_ledger_starts_only_what_is_missing()
    {
        var present = new HashSet<string>(StringComparer.Ordinal) { "organization:UN", "meeting:GVA-2022", "AST-2024-07" };

        var plan = ImportPlan.For(data, present.Contains, Given.Importer, clock.GetCurrentInstant());

        plan.Report.AlreadyPresent.ShouldBe(["organization:UN", "meeting:GVA-2022", "AST-2024-07"]);
        plan.Streams.Count.ShouldBe(50 - 3);
        plan.Report.EventCount.ShouldBe(47 + 1);
    }

    [Fact]
    public void The_catalog_files_a_meeting_without_sessions_under_the_sessions_of_the_meeting_reviewing_it()
    {
        var plan = ImportPlan.For(data, _ => false, Given.Importer, clock.GetCurrentInstant());
        var meetings = plan.Streams.SelectMany(s => s.Events).OfType<MeetingRegistered>().ToList();

        var catalog = ReferenceCatalog.From(meetings, ["UNRWA"], ["OIC-2025"]);

        catalog.IsMeeting(Geneva).ShouldBeTrue();
        catalog.IsMeeting(Astana).ShouldBeTrue();
        catalog.IsMeeting(null).ShouldBeFalse();
        catalog.Session(Geneva, 2)!.Title.ShouldBe("Cooperation on Economic and Scientific Issues");
        catalog.Session(Geneva, 2).ShouldBe(catalog.Session(Astana, 2));
        catalog.Session(Astana, 4).ShouldBeNull();
        catalog.IsOrganization("UNRWA").ShouldBeTrue();
        catalog.IsFramework("OIC-2025").ShouldBeTrue();
        catalog.IsFramework("UN").ShouldBeFalse();
    }
}
