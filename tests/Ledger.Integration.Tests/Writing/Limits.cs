using Alba;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Importing;
using Ledger.Integration.Tests.Support;
using NodaTime.Testing;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

/// <summary>A host of its own with a low write limit: the fourth write in a minute is refused.</summary>
[Collection(SeedingGroup.Name)]
public sealed class Limits
{
    [Fact]
    public async Task writes_over_the_rate_limit_get_429_with_retry_after_and_record_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("limits");
        await using var host = await LedgerHost.StartAsync(database, new FakeClock(LedgerHost.Start), seedOnStartup: true, writesPerMinute: 3);
        var token = host.TokenFor(LedgerRoles.Secretariat);
        var review = new { meeting = "AST-2024", rating = "on-track", decision = "continue" };

        for (var i = 0; i < 3; i++)
        {
            (await host.PostAsync("/api/commitments/AST-2024-06/reviews", review, token)).Status.ShouldBe(200);
        }

        var refused = await host.PostAsync("/api/commitments/AST-2024-06/reviews", review, token);

        refused.ShouldBeProblem(429);
        refused.Header("Retry-After").ShouldNotBeNull();
        (await host.StreamLengthAsync("AST-2024-06")).ShouldBe(4);

        // Another caller has a budget of its own.
        var other = host.TokenFor(LedgerRoles.Secretariat, user: "another.officer");
        (await host.PostAsync("/api/commitments/AST-2024-06/reviews", review, other)).Status.ShouldBe(200);
    }
}
