using Microsoft.Extensions.Options;

namespace Ledger.Host.ProjectionOps;

/// <summary>Samples the projections' positions now and then, so a stall is timed from when it began, not from the first question.</summary>
public sealed partial class ProjectionSampler(
    ProjectionMonitor monitor, IOptions<ProjectionOpsOptions> options, ILogger<ProjectionSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var report = await monitor.ReadAsync(stoppingToken);
                foreach (var stalled in report.Projections.Where(p => p.Status == ProjectionState.Stalled))
                {
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
