using Microsoft.Extensions.Options;

namespace Ledger.Host.ProjectionOps;

/// <summary>
/// Samples the projections' positions now and then, so a stall is timed from when it began, not from the first question,
/// and logs each stall once when it begins (and again only if it changes: another position or another failing event),
/// instead of on every sample.
/// </summary>
public sealed partial class ProjectionSampler(
    ProjectionMonitor monitor, IOptions<ProjectionOpsOptions> options, ILogger<ProjectionSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleEvery);
        var reported = new Dictionary<string, (long Position, long? Sequence)>(StringComparer.Ordinal);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var report = await monitor.ReadAsync(stoppingToken);
                var stalls = report.Projections.Where(p => p.Status == ProjectionState.Stalled).ToList();
                foreach (var name in reported.Keys.Where(n => !stalls.Exists(p => p.Name == n)).ToList())
                {
                    reported.Remove(name);
                }

                foreach (var stalled in stalls)
                {
                    var stall = (stalled.Position, stalled.Failure?.Sequence);
                    if (reported.TryGetValue(stalled.Name, out var known) && known == stall)
                    {
                        continue;
                    }

                    reported[stalled.Name] = stall;
                    if (stalled.Failure is { } failure)
                    {
                        Stopped(logger, stalled.Name, stalled.Position, report.HighWaterMark, failure.Sequence, failure.EventType, failure.Reason);
                    }
                    else
                    {
                        Stalled(logger, stalled.Name, stalled.Position, report.HighWaterMark);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SampleFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection} is stalled at {Position} of {HighWaterMark}")]
    private static partial void Stalled(ILogger logger, string projection, long position, long highWaterMark);

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection {Projection} is stopped at {Position} of {HighWaterMark}: event {Sequence} ({EventType}) could not be applied: {Reason}")]
    private static partial void Stopped(ILogger logger, string projection, long position, long highWaterMark, long? sequence, string? eventType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sample the projections' positions")]
    private static partial void SampleFailed(ILogger logger, Exception exception);
}
