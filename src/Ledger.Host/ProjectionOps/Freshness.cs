using NodaTime;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// How fresh a dashboard answer is: the projection it came from, how it was computed (<c>async</c>
/// read model, <c>inline</c> read model, or <c>replay</c> of the events), the last event it reflects,
/// the ledger's high-water mark and the difference.
/// </summary>
public sealed record Freshness(string Projection, string Lifecycle, long Position, long HighWaterMark, long Lag, Instant CheckedAt)
{
    public const string Async = "async";
    public const string Inline = "inline";
    public const string Replay = "replay";

    public static Freshness Of(string projection, string lifecycle, long position, long highWaterMark, Instant checkedAt) =>
        new(projection, lifecycle, position, highWaterMark, Math.Max(0, highWaterMark - position), checkedAt);
}
