using System.Diagnostics;

namespace Ledger.Bench.Harness;

/// <summary>
/// What a closed-loop load run saw in its measurement window: operations completed per second and the
/// latency of each, and the operations the product refused (which a valid run has none of).
/// </summary>
internal sealed record LoadResult(long Completed, long Refused, string? FirstRefusal, TimeSpan Window, IReadOnlyList<double> LatenciesMs, CpuUse Cpu)
{
    public double PerSecond => Completed / Window.TotalSeconds;

    public double P50 => Statistics.Percentile(LatenciesMs, 50);

    public double P99 => Statistics.Percentile(LatenciesMs, 99);

    public double P999 => Statistics.Percentile(LatenciesMs, 99.9);
}

/// <summary>
/// Runs an operation in a closed loop on a number of concurrent workers: each worker starts its next
/// operation as soon as its last one is answered, like a client that waits for its answer. The first
/// part of the run warms up (connection pools, JIT, the host's code generation) and is not counted;
/// then operations completed in the measurement window are counted and timed.
/// </summary>
internal static class LoadTest
{
    /// <summary>One operation by worker <c>w</c>: null when it succeeded, otherwise why it was refused.</summary>
    public delegate Task<string?> Operation(int worker, CancellationToken ct);

    public static async Task<LoadResult> RunAsync(
        int workers, TimeSpan warmup, TimeSpan window, CpuMeter meter, Operation operation, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var from = warmup.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        var until = (warmup + window).Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        var latencies = new List<double>[workers];
        var refused = new long[workers];
        string? firstRefusal = null;

        async Task Work(int worker)
        {
            var mine = latencies[worker] = new List<double>(capacity: 16_384);
            while (clock.ElapsedTicks < until)
            {
                var start = clock.ElapsedTicks;
                var refusal = await operation(worker, ct);
                var end = clock.ElapsedTicks;
                if (end <= from || end > until)
                {
                    continue;
                }

                if (refusal is null)
                {
                    mine.Add((end - start) * 1000.0 / Stopwatch.Frequency);
                }
                else
                {
                    refused[worker]++;
                    Interlocked.CompareExchange(ref firstRefusal, refusal, null);
                }
            }
        }

        async Task<CpuUse> MeterWindow()
        {
            await Task.Delay(warmup, ct);
            var start = meter.Read();
            await Task.Delay(window, ct);
            return meter.Since(start);
        }

        var cpu = MeterWindow();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Work(w), ct)));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(all.Count, refused.Sum(), firstRefusal, window, all, await cpu);
    }

    /// <summary>Runs <paramref name="count"/> operations one after the other (one client waiting for each answer), all timed.</summary>
    public static async Task<LoadResult> RunCountAsync(int count, CpuMeter meter, Operation operation, CancellationToken ct)
    {
        var latencies = new List<double>(count);
        var cpu = meter.Read();
        long refused = 0;
        string? firstRefusal = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = clock.ElapsedTicks;
            var refusal = await operation(0, ct);
            var end = clock.ElapsedTicks;
            if (refusal is null)
            {
                latencies.Add((end - start) * 1000.0 / Stopwatch.Frequency);
            }
            else
            {
                refused++;
                firstRefusal ??= refusal;
            }
        }

        return new LoadResult(latencies.Count, refused, firstRefusal, clock.Elapsed, [.. latencies.Order()], meter.Since(cpu));
    }
}
