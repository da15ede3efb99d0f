using Marten;
using NodaTime;

namespace Ledger.Host.Writing.Idempotency;

/// <summary>Forgets idempotency keys once their retention has passed (hourly).</summary>
public sealed partial class IdempotencyCleanup(IDocumentStore store, IClock clock, ILogger<IdempotencyCleanup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using var session = store.LightweightSession();
                var now = clock.GetCurrentInstant().ToUnixTimeSeconds();
                session.DeleteWhere<IdempotentRequest>(x => x.ExpiresAtUnixSeconds < now);
                await session.SaveChangesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CleanupFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not remove expired idempotency keys; will retry in an hour")]
    private static partial void CleanupFailed(ILogger logger, Exception exception);
}
