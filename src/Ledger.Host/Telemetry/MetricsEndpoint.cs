using System.Net;
using Ledger.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Telemetry;

/// <summary>The <c>Ledger:Metrics</c> configuration section: the Prometheus scrape endpoint <c>GET /metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Ledger:Metrics";
    public const string Path = "/metrics";

    /// <summary>Serve <c>GET /metrics</c> at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Networks (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or single addresses whose requests may read <c>/metrics</c> without a
    /// token, besides the machine itself (loopback, a Unix socket). <c>0.0.0.0/0</c> and <c>::/0</c> open it to anyone.
    /// </summary>
    public IList<string> AllowFrom { get; } = [];
}

/// <summary>
/// Who may read <c>/metrics</c>: a request from the machine itself (a loopback address, or a transport without an IP
/// address: a Unix socket, the in-process test server) that no proxy forwarded, or one from a network of
/// <see cref="MetricsOptions.AllowFrom"/>. A request that carries <c>Forwarded</c> or <c>X-Forwarded-For</c> came
/// through a proxy on someone else's behalf, so it counts by its networks only, not as local. Anyone else gets 403.
/// </summary>
public sealed class MetricsAccess
{
    private readonly IReadOnlyList<IPNetwork> _networks;

    public MetricsAccess(IOptions<MetricsOptions> options)
    {
        _networks = [.. options.Value.AllowFrom.Select(Parse)];
    }

    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool Allows(IPAddress? peer, bool forwarded)
    {
        if (peer is { IsIPv4MappedToIPv6: true })
        {
            peer = peer.MapToIPv4();
        }

        if (!forwarded && (peer is null || IPAddress.IsLoopback(peer)))
        {
            return true;
        }

        return peer is not null && _networks.Any(n => n.Contains(peer));
    }

    /// <summary>The branch in front of the Prometheus exporter: refuses, as a 403 problem, whoever may not read the metrics.</summary>
    public Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var forwarded = context.Request.Headers.ContainsKey("Forwarded") || context.Request.Headers.ContainsKey("X-Forwarded-For");
        return Allows(context.Connection.RemoteIpAddress, forwarded)
            ? next(context)
            : Problems.Forbidden($"The metrics are served to this machine and to the networks of {MetricsOptions.Section}:AllowFrom only.")
                .ExecuteAsync(context);
    }

    private static IPNetwork Parse(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : throw new InvalidOperationException($"{MetricsOptions.Section}:AllowFrom holds '{text}', which is neither a network (10.0.0.0/8) nor an address.");
}
