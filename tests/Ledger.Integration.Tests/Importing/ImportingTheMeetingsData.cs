using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Commitments;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Marten;
using Shouldly;

namespace Ledger.Integration.Tests.Importing;

public sealed class ImportingTheMeetingsData(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task import_records_every_stream_of_the_shipped_data()
    {
        var report = await ImportShippedDataAsync();

        report.Refused.ShouldBeEmpty();
        report.AlreadyPresent.ShouldBeEmpty();
        // 6 organizations, 2 frameworks, 2 meetings, 9 Astana commitments, 31 Geneva matrix lines.
        report.Created.Count.ShouldBe(50);
        // Every stream starts with one event; AST-2024-07 and -08 also carry the progress the article reports.
        report.EventCount.ShouldBe(52);
        (await Host.EventCountAsync()).ShouldBe(52);

        await using var session = Store.QuerySession();
        (await session.Query<CommitmentView>().CountAsync()).ShouldBe(40);
        (await session.Query<CommitmentView>().CountAsync(c => c.Meeting == "AST-2024")).ShouldBe(9);
        (await session.Query<CommitmentView>().CountAsync(c => c.Meeting == "GVA-2022")).ShouldBe(31);
    }

    [Fact]
    public async Task importing_again_records_nothing()
    {
        await ImportShippedDataAsync();
        var before = await Host.EventCountAsync();

        var again = await ImportShippedDataAsync();

        again.Created.ShouldBeEmpty();
        again.AlreadyPresent.Count.ShouldBe(50);
        again.EventCount.ShouldBe(0);
        (await Host.EventCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task imported_events_are_stored_under_stable_names_with_who_and_when()
    {
        await ImportShippedDataAsync();

        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync("AST-2024-07");

        events.Select(e => e.EventTypeName).ShouldBe(["commitment-pledged", "progress-reported-v2"]);
        events.Select(e => e.Version).ShouldBe([1L, 2L]);
        events.ShouldAllBe(e => e.StreamKey == "AST-2024-07" && e.CorrelationId!.StartsWith("import-"));
        // The store's own timestamp and user are the ledger's clock and actor, not the server's.
        events.ShouldAllBe(e => e.Timestamp == LedgerHost.Start.ToDateTimeOffset() && e.UserName == "test-import");

        var pledged = events[0].Data.ShouldBeOfType<CommitmentPledged>();
        pledged.RecordedAt.ShouldBe(LedgerHost.Start);
        pledged.RecordedBy.ShouldBe(Actor.Importer("test-import"));
        pledged.Basis.ShouldBe(Basis.Stated);
        pledged.Inferred.Keys.ShouldBe(["workingSession", "status"], ignoreOrder: true);

        var progress = events[1].Data.ShouldBeOfType<ProgressReported>();
        progress.Status.ShouldBe(CommitmentStatus.InProgress);
        progress.AsOf.ShouldBe(FactDate.Day(new NodaTime.LocalDate(2024, 7, 22)));
        progress.Source!.By.ShouldBe("IOFS");
    }

    [Fact]
    public async Task the_read_model_of_the_letter_of_intent_is_exactly_what_the_article_states()
    {
        await ImportShippedDataAsync();

        var view = await Host.GetJsonAsync<CommitmentView>("/api/commitments/AST-2024-06");

        view.ShouldBeEquivalentTo(new CommitmentView
        {
            Id = "AST-2024-06",
            Meeting = "AST-2024",
            Title = "IOFS-FAO Letter of Intent on institutional cooperation in member states",
            Kind = CommitmentKind.Agreement,
            Status = CommitmentStatus.Agreed,
            Leads = ["IOFS", "FAO"],
            Partners = [],
            Countries = ["AFG", "TCD", "DJI", "GMB", "KAZ", "MRT", "NGA", "SOM", "TJK"],
            WorkingSession = null,
            Topic = null,
            Frameworks = [],
            DueDate = null,
            Basis = Basis.Stated,
            Inferred = new Dictionary<string, string>
            {
                ["status"] = "the article announces the signing of a letter of intent; a signed instrument is recorded as agreed",
            },
            Source = view.Source,
            PledgedOn = FactDate.Day(new NodaTime.LocalDate(2024, 7, 22)),
            RecordedAt = LedgerHost.Start,
            LastChangedAt = LedgerHost.Start,
            LastChangedBy = Actor.Importer("test-import"),
            SortKey = CommitmentCode.SortKey("AST-2024-06"),
            Version = 1,
        });
        view.Source!.Fact.ShouldBe("signing-announced");
        view.Source.Text!.ShouldContain("Letter of Intent between IOFS and FAO");
    }

    [Fact]
    public async Task geneva_matrix_lines_are_marked_as_derived_and_month_only()
    {
        await ImportShippedDataAsync();

        var page = await Host.GetJsonAsync<CommitmentPage>("/api/commitments?meeting=GVA-2022&pageSize=100");

        page.Total.ShouldBe(31);
        page.Items.ShouldAllBe(c => c.Basis == Basis.AgendaTopic && c.Kind == CommitmentKind.MatrixLine);
        page.Items.ShouldAllBe(c => c.PledgedOn.IsApproximate && c.PledgedOn.Date == new NodaTime.LocalDate(2022, 7, 1));
        page.Items.GroupBy(c => c.WorkingSession).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}").ShouldBe(["1:8", "2:14", "3:9"]);
        var southSouth = page.Items.Single(c => c.Id == "GVA-2022-2.3");
        southSouth.Title.ShouldBe("Cooperation on South-South cooperation projects");
        southSouth.Leads.ShouldBe(["UN", "OIC"]);
    }
}
