using System.Diagnostics;
using OpenTelemetry;

namespace Ledger.Host.Telemetry;

/// <summary>
/// Leaves unrecorded the polling an idle host does several times a second, which is nobody's work: Marten's daemon
/// asking for the high-water mark (<c>marten.daemon.highwatermark</c>; the statements it runs see an unrecorded
/// parent, so the sampler leaves them out too), and a call out of the process (a SQL statement) that starts a trace
/// of its own, with nothing above it, such as Wolverine's agents reading their tables. A request, a projection's
/// page, a message is traced whole; the sampler itself stays the standard one (<c>OTEL_TRACES_SAMPLER</c>).
/// </summary>
public sealed class PollingFilter : BaseProcessor<Activity>
{
    public const string HighWaterMarkPoll = "marten.daemon.highwatermark";

    public override void OnStart(Activity data)
    {
        if (data.OperationName == HighWaterMarkPoll || (data.ParentSpanId == default && data.Kind == ActivityKind.Client))
        {
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
