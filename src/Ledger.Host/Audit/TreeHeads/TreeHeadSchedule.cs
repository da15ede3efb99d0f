using Microsoft.Extensions.Options;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>
/// Signs a tree head once the host has started (after the seed, so a new ledger gets its first head at once) and then
/// every <c>Ledger:TreeHeads:Interval</c>, each time only when the tree grew
/// (or the key changed). Every host on the database runs it; the advisory lock in <see cref="TreeHeadLog"/> makes one
/// of them sign and the others find the head already there. A failure is logged and tried again at the next tick.
/// Resolving it reads the keys, so a misconfigured key stops the host at start.
/// </summary>
public sealed partial class TreeHeadSchedule(
    TreeHeadLog heads, TreeHeadSigning signing, IOptions<TreeHeadOptions> options, IHostApplicationLifetime lifetime, ILogger<TreeHeadSchedule> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (signing.Current is null)
        {
            NoKey(logger);
            return;
        }

        var interval = options.Value.Interval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await heads.IssueAsync(stoppingToken); // a refusal is logged there, as an error
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "No tree-head key is configured (Ledger:TreeHeads:KeyFile): this ledger signs no tree heads. ./run.sh generates one; see docs/operations.md.")]
    private static partial void NoKey(ILogger logger);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Signing the scheduled tree head failed; trying again at the next interval")]
    private static partial void Failed(ILogger logger, Exception exception);
}
