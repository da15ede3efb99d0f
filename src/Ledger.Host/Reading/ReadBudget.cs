using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Reading;

/// <summary>Which of the budget's two lanes a read takes.</summary>
public enum ReadLane
{
    /// <summary>A read of the read models: a document, a page of documents, the latest events.</summary>
    Model,

    /// <summary>A replay of the events: one ordered scan of the ledger, folded in memory.</summary>
    Replay,
}

/// <summary>A read refused because its lane is full (every slot taken and the queue too).</summary>
public sealed class ReadsBusyException(ReadLane lane) : Exception($"Every {lane} slot and queue place of the read budget is taken.")
{
    public ReadLane Lane { get; } = lane;
}

/// <summary>
/// How much reading the host does at once (<see cref="ReadOptions"/>, docs/dashboards.md#read-budgets): two lanes,
/// each a concurrency limit with a short queue, so replays (whole-ledger scans) never take the slots of
/// read-model reads, and neither can take more connections than the pool spares beside the writers. Every read
/// has a deadline from its arrival; past it, it is cancelled — its database command with it, so no session is left
/// waiting or idle in a transaction — and answered 503. A full lane answers 503 at once: nothing queues without end.
/// </summary>
public sealed class ReadBudget : IDisposable
{
    private readonly ReadOptions _options;
    private readonly ConcurrencyLimiter _reads;
    private readonly ConcurrencyLimiter _replays;

    public ReadBudget(IOptions<ReadOptions> options)
    {
        _options = options.Value;
        _reads = Limiter(_options.MaxConcurrentReads, _options.ReadQueue);
        _replays = Limiter(_options.MaxConcurrentReplays, _options.ReplayQueue);
    }

    public TimeSpan Timeout => _options.Timeout;

    /// <summary>How many reads of <paramref name="lane"/> wait for a slot now.</summary>
    public long Waiting(ReadLane lane) => (lane == ReadLane.Replay ? _replays : _reads).GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Takes a slot of <paramref name="lane"/>, waiting in its queue; throws <see cref="ReadsBusyException"/> when the queue is full.</summary>
    public async ValueTask<IDisposable> EnterAsync(ReadLane lane, CancellationToken ct)
    {
        var lease = await (lane == ReadLane.Replay ? _replays : _reads).AcquireAsync(1, ct);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new ReadsBusyException(lane);
        }

        return lease;
    }

    /// <summary>
    /// Runs one read under its deadline (<see cref="ReadOptions.Timeout"/> from now) and answers it, or the 503 problem of
    /// a full lane or a passed deadline. <paramref name="requestAborted"/> is the caller's own: a caller who went away gets no answer.
    /// </summary>
    public async Task<IResult> AnswerAsync(Func<CancellationToken, Task<IResult>> read, CancellationToken requestAborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            return await read(deadline.Token);
        }
        catch (ReadsBusyException busy)
        {
            return Busy(busy.Lane);
        }
        catch (Exception e) when (!requestAborted.IsCancellationRequested && (deadline.IsCancellationRequested || e is OperationCanceledException))
        {
            // Past its deadline, or the shared replay it waited for passed its own: Npgsql has cancelled the command on
            // the server (or the read was still waiting for a slot), and the transaction was rolled back and the
            // connection given back to the pool as the read unwound.
            return TimedOut();
        }
    }

    public void Dispose()
    {
        _reads.Dispose();
        _replays.Dispose();
    }

    private RetryAfter Busy(ReadLane lane)
    {
        var (running, waiting) = lane == ReadLane.Replay
            ? (_options.MaxConcurrentReplays, _options.ReplayQueue)
            : (_options.MaxConcurrentReads, _options.ReadQueue);
        return new RetryAfter(1, Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Too many reads at once",
            detail: $"The ledger is already running {running} {(lane == ReadLane.Replay ? "replays of the events" : "reads")} " +
                    $"with {waiting} waiting, as many as it allows beside its writers; retry after the seconds in Retry-After.",
            type: Problems.TypeBase + "reads-busy"));
    }

    private RetryAfter TimedOut()
    {
        var seconds = (int)Math.Ceiling(_options.Timeout.TotalSeconds);
        return new RetryAfter(seconds, Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The read took too long",
            detail: string.Create(CultureInfo.InvariantCulture,
                $"The read did not finish within {_options.Timeout.TotalSeconds:0.###} s and was cancelled; retry after the seconds in Retry-After."),
            type: Problems.TypeBase + "read-timeout"));
    }

    private static ConcurrencyLimiter Limiter(int permits, int queue) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>A problem answer with a <c>Retry-After</c> header.</summary>
    private sealed class RetryAfter(int seconds, IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
