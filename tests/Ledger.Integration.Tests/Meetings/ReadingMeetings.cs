using Ledger.Domain.Common;
using Ledger.Host.Meetings;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Meetings;
using Shouldly;

namespace Ledger.Integration.Tests.Meetings;

public sealed class ReadingMeetings(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task meetings_are_listed_in_date_order_with_their_sessions()
    {
        await ImportShippedDataAsync();

        var list = await Host.GetJsonAsync<MeetingList>("/api/meetings");

        list.Items.Select(m => m.Code).ShouldBe(["GVA-2022", "AST-2024"]);
        var geneva = list.Items[0];
        geneva.Opens.ShouldBe(FactDate.Month(new NodaTime.YearMonth(2022, 7)));
        geneva.StartDate.ShouldBeNull();
        geneva.Sessions.ShouldBeEmpty();
        var astana = list.Items[1];
        astana.Sessions.Select(s => s.Topics.Count).ShouldBe([8, 14, 9]);
        astana.Reviews.ShouldBe("GVA-2022");
    }

    [Fact]
    public async Task astana_is_read_with_its_dates_host_and_time_zone()
    {
        await ImportShippedDataAsync();

        var astana = await Host.GetJsonAsync<MeetingView>("/api/meetings/AST-2024");

        astana.City.ShouldBe("Astana");
        astana.TimeZone.ShouldBe("Asia/Almaty");
        astana.StartDate.ShouldBe(new NodaTime.LocalDate(2024, 7, 22));
        astana.EndDate.ShouldBe(new NodaTime.LocalDate(2024, 7, 24));
        astana.Host.ShouldBe("IOFS");
        astana.Participants.ShouldBe(100);
        astana.Sessions[2].CrisisAreas.ShouldContain("Sudan");
    }

    [Fact]
    public async Task an_unknown_meeting_is_a_404_problem()
    {
        await ImportShippedDataAsync();

        await Host.GetProblemAsync("/api/meetings/RUH-2026", 404);
    }
}
