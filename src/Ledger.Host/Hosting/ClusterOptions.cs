using Wolverine;

namespace Ledger.Host.Hosting;

/// <summary>
/// The <c>Ledger:Cluster</c> configuration section: how fast the hosts sharing one database notice that
/// one of them is gone, so Wolverine's agent distribution moves its async projections and the Merkle
/// subscription to a survivor. A host that dies without stopping (a crash, <c>kill -9</c>, a lost
/// machine) keeps its agents on paper until its heartbeat is older than <see cref="StaleNodeTimeout"/>;
/// Wolverine's own defaults (a heartbeat every 10 s, stale after 60 s) leave the dashboards and the
/// Merkle tree still for more than a minute. These defaults hand them over within about 20 s.
/// <para>
/// A starting host takes part (heartbeat, leadership, agents) only once <see cref="StaleNodeTimeout"/> has
/// passed. A host restarted after a crash then already sees its dead predecessor as stale and takes its agents
/// directly; joining sooner, it would share them with the dead node it still took for alive and wait a minute
/// for that node to confirm it had let them go.
/// </para>
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Ledger:Cluster";

    /// <summary>How often each host writes its heartbeat and the leader re-evaluates who runs what (Wolverine's <c>HealthCheckPollingTime</c>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A host whose last heartbeat is older than this is taken for dead and its agents are reassigned (Wolverine's <c>StaleNodeTimeout</c>).</summary>
    public TimeSpan StaleNodeTimeout { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>
    /// Whether this host takes part in running the async projections and the Merkle subscription (default true).
    /// A host set to false serves requests only and leaves the daemon's work to the hosts that do: writes then
    /// share no cores with the daemon. At least one host on the database must run them.
    /// </summary>
    public bool RunsProjections { get; set; } = true;

    /// <summary>Applies the settings to Wolverine; refuses a timeout that is not comfortably longer than the heartbeat.</summary>
    public void ApplyTo(DurabilitySettings durability)
    {
        if (HeartbeatInterval <= TimeSpan.Zero || StaleNodeTimeout < 3 * HeartbeatInterval)
        {
            throw new InvalidOperationException(
                $"{Section}: HeartbeatInterval must be positive and StaleNodeTimeout at least three heartbeats " +
                $"(now {HeartbeatInterval} and {StaleNodeTimeout}), or a live host would be taken for dead.");
        }

        durability.HealthCheckPollingTime = HeartbeatInterval;
        durability.StaleNodeTimeout = StaleNodeTimeout;
        durability.FirstHealthCheckExecution = StaleNodeTimeout;
    }
}
