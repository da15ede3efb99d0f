using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ledger.Bench.Harness;
using Ledger.Bench.Ledgers;
using Ledger.Bench.Results;
using Ledger.Bench.Writing;

// Measures the product's speed targets (docs/benchmarks.md) as ratios to the raw PostgreSQL ceiling
// measured in the same run. Started by bench/run.sh, which provides a durable throwaway cluster.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync("error: " + e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    Console.Error.WriteLine($"interrupted ({e.SpecialKey}): stopping");
    e.Cancel = true;
    cancel.Cancel();
};

// 16 writers start at once; the pool must not ramp up during the first measured seconds.
ThreadPool.SetMinThreads(4 * BenchOptions.Writers, 4 * BenchOptions.Writers);

var report = new Report();
var ct = cancel.Token;
report.Context("Command", "`bench/run.sh" + (options.Quick ? " --quick" : string.Empty) + (options.Only == "all" ? string.Empty : " --only " + options.Only)
                          + string.Create(CultureInfo.InvariantCulture, $" --events {options.Events}`"));
report.Context("Started", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
foreach (var (name, value) in Machine.Describe())
{
    report.Context(name, value);
}

report.Context("PostgreSQL", await BenchDatabase.ServerVersionAsync(options, ct));
report.Context("PostgreSQL settings", await BenchDatabase.DurabilityAsync(options, ct));
report.Context("Load average at start", Machine.LoadAverage());

// The hosts sign and check tokens with a key of this run only; the harness mints its clients' tokens with it.
var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
try
{
    var meter = await CpuMeter.ForClusterAsync(options.AdminConnection, ct);
    if (options.RunsWrites)
    {
        await WritePhase.RunAsync(options, signingKey, meter, report, ct);
    }

    if (options.RunsReads)
    {
        await ReadPhase.RunAsync(options, signingKey, meter, report, ct);
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("error: interrupted; no results written");
    return 130;
}
report.Context("Load average at end", Machine.LoadAverage());

var directory = Path.GetDirectoryName(Path.GetFullPath(options.Output));
if (directory is not null)
{
    Directory.CreateDirectory(directory);
}

await File.WriteAllTextAsync(options.Output, "# Benchmark results\n\n" + report.ToMarkdown(), ct);
Console.WriteLine();
Console.WriteLine(report.ToText());
Console.WriteLine($"Written to {options.Output}");
if (report.HasErrors)
{
    await Console.Error.WriteLineAsync("error: some measurements are not valid (see ERROR rows and the details in the file)");
    return 1;
}

return 0;

/// <summary>What the reader needs to know about the machine to read the numbers.</summary>
internal static class Machine
{
    public static IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("CPUs (nproc)", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        yield return ("CPU", FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString());
        yield return ("Memory", FirstValue("/proc/meminfo", "MemTotal") is { } kb
            && long.TryParse(kb.Split(' ')[0], CultureInfo.InvariantCulture, out var total)
            ? (total / 1024.0 / 1024.0).ToString("0.0 'GiB'", CultureInfo.InvariantCulture)
            : "unknown");
        yield return ("OS", RuntimeInformation.OSDescription);
        yield return (".NET", RuntimeInformation.FrameworkDescription);
    }

    /// <summary>The 1, 5 and 15 minute load averages: how busy the shared machine was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? FirstValue(string file, string key) =>
        File.Exists(file)
            ? File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;
}
