using System.Net.Sockets;
using Ledger.Host.Hosting;
using Marten.Exceptions;
using Npgsql;
using Shouldly;
using Wolverine;

namespace Ledger.Integration.Tests.Operations;

public sealed class ClusterAndOutages
{
    [Fact]
    public void the_cluster_settings_reach_wolverine_and_a_starting_host_waits_one_stale_timeout()
    {
        var durability = new DurabilitySettings();
        new ClusterOptions { HeartbeatInterval = TimeSpan.FromSeconds(2), StaleNodeTimeout = TimeSpan.FromSeconds(10) }.ApplyTo(durability);

        durability.HealthCheckPollingTime.ShouldBe(TimeSpan.FromSeconds(2));
        durability.StaleNodeTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        durability.FirstHealthCheckExecution.ShouldBe(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void a_stale_timeout_of_fewer_than_three_heartbeats_is_refused()
    {
        Should.Throw<InvalidOperationException>(() =>
            new ClusterOptions { HeartbeatInterval = TimeSpan.FromSeconds(5), StaleNodeTimeout = TimeSpan.FromSeconds(10) }.ApplyTo(new DurabilitySettings()))
            .Message.ShouldContain("Ledger:Cluster");
    }

    [Fact]
    public void a_refused_or_broken_connection_anywhere_in_the_chain_is_the_database_being_unavailable()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

        DatabaseUnavailable.TransientCause(refused).ShouldBe(refused);
        DatabaseUnavailable.TransientCause(new MartenCommandException(new NpgsqlCommand("select 1"), refused)).ShouldBe(refused);
        DatabaseUnavailable.TransientCause(new AggregateException(new InvalidOperationException("other"), refused)).ShouldBe(refused);
    }

    [Fact]
    public void other_failures_are_not_mistaken_for_an_outage()
    {
        DatabaseUnavailable.TransientCause(new InvalidOperationException("a bug")).ShouldBeNull();
        DatabaseUnavailable.TransientCause(new NpgsqlException("a syntax error")).ShouldBeNull();
    }
}
