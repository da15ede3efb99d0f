using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Ledger.Host.Telemetry;

/// <summary>
/// Records every span in the trace it belongs to (parent-based, always on), but no call out of the process that
/// starts a trace of its own: a SQL statement with no request, daemon batch or message above it is the polling
/// of Marten's daemon or Wolverine's agents, thousands an hour on an idle host, and nobody's work.
/// </summary>
public sealed class InContextSqlSampler : Sampler
{
    private static readonly Sampler Within = new ParentBasedSampler(new AlwaysOnSampler());

    public InContextSqlSampler() => Description = "InContextSql";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && samplingParameters.Kind == ActivityKind.Client
            ? new SamplingResult(SamplingDecision.Drop)
            : Within.ShouldSample(samplingParameters);
}
