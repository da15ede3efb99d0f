using Alba;
using Ledger.Host.Commitments;
using Ledger.Integration.Tests.Support;
using NodaTime.Testing;
using Shouldly;

namespace Ledger.Integration.Tests.Importing;

/// <summary>The host seeds an empty database when it starts, and a restart seeds nothing more.</summary>
[Collection(SeedingGroup.Name)]
public sealed class SeedingAtStartup
{
    [Fact]
    public async Task a_host_started_on_an_empty_database_serves_the_meetings_data_and_a_restart_adds_no_event()
    {
        await using var database = await TestDatabase.CreateAsync("seed");
        var clock = new FakeClock(LedgerHost.Start);

        long eventsAfterFirstStart;
        await using (var host = await LedgerHost.StartAsync(database, clock, seedOnStartup: true))
        {
            await host.Scenario(s =>
            {
                s.Get.Url("/health");
                s.StatusCodeShouldBeOk();
            });
            var page = await host.GetJsonAsync<CommitmentPage>("/api/commitments?pageSize=100");
            page.Total.ShouldBe(40);
            eventsAfterFirstStart = await host.EventCountAsync();
            eventsAfterFirstStart.ShouldBe(52);
        }

        clock.AdvanceDays(1);
        await using (var restarted = await LedgerHost.StartAsync(database, clock, seedOnStartup: true))
        {
            (await restarted.EventCountAsync()).ShouldBe(eventsAfterFirstStart);
            var page = await restarted.GetJsonAsync<CommitmentPage>("/api/commitments?pageSize=100");
            page.Total.ShouldBe(40);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SeedingGroup
{
    public const string Name = "seeding";
}
