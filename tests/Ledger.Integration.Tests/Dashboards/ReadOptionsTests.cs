using Ledger.Host.Reading;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>The read budget must leave half the connection pool to the writers, or the host does not start.</summary>
public sealed class ReadOptionsTests
{
    [Fact]
    public void The_defaults_fit_the_default_pool_of_100()
    {
        new ReadOptions().Problem("Host=db;Database=ledger").ShouldBeNull();
        new ReadOptions().Connections.ShouldBe(18);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=36", null)]
    [InlineData("Host=db;Maximum Pool Size=35", "(18) must be at most half of the connection string's Maximum Pool Size (35)")]
    [InlineData(null, null)]
    public void More_reads_than_half_the_pool_are_refused(string? connectionString, string? problem)
    {
        var found = new ReadOptions().Problem(connectionString);
        if (problem is null)
        {
            found.ShouldBeNull();
        }
        else
        {
            found.ShouldNotBeNull().ShouldContain(problem);
        }
    }

    [Fact]
    public void Empty_lanes_and_no_deadline_are_refused()
    {
        new ReadOptions { MaxConcurrentReplays = 0 }.Problem(null).ShouldNotBeNull();
        new ReadOptions { ReadQueue = -1 }.Problem(null).ShouldNotBeNull();
        new ReadOptions { Timeout = TimeSpan.Zero }.Problem(null).ShouldNotBeNull();
    }
}
