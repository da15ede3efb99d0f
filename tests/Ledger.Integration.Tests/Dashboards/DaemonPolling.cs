using JasperFx.Events.Daemon;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Marten;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary><c>Ledger:Projections:PollEvery</c>: how often the async daemon looks for new events while the ledger is written.</summary>
public sealed class DaemonPolling(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public void the_hosts_store_polls_at_the_configured_interval_not_martens_250_ms()
    {
        ((DocumentStore)Store).Options.Projections.FastPollingTime.ShouldBe(new ProjectionOpsOptions().PollEvery);
        new ProjectionOpsOptions().PollEvery.ShouldNotBe(new DaemonSettings().FastPollingTime);
    }

    [Fact]
    public void the_daemon_looks_once_a_second_unless_configured_otherwise()
    {
        var daemon = new DaemonSettings();
        new ProjectionOpsOptions().ApplyTo(daemon);
        daemon.FastPollingTime.ShouldBe(TimeSpan.FromSeconds(1));

        var configured = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:Projections:PollEvery"] = "00:00:00.250" })
            .Build()
            .GetSection(ProjectionOpsOptions.Section)
            .Get<ProjectionOpsOptions>()!;
        configured.ApplyTo(daemon);
        daemon.FastPollingTime.ShouldBe(TimeSpan.FromMilliseconds(250));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.005")]
    [InlineData("00:01:00")]
    public void an_interval_outside_10_ms_to_10_s_is_refused(string interval)
    {
        var options = new ProjectionOpsOptions { PollEvery = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) };
        Should.Throw<InvalidOperationException>(() => options.ApplyTo(new DaemonSettings()))
            .Message.ShouldContain("Ledger:Projections:PollEvery");
    }
}
