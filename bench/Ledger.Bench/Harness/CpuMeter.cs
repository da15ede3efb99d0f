using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ledger.Bench.Harness;

/// <summary>CPU used during a measurement, by whom: where the time of a measured operation goes.</summary>
internal sealed record CpuUse(TimeSpan Harness, TimeSpan Host, TimeSpan Postgres, TimeSpan Others, TimeSpan Elapsed)
{
    /// <summary>Milliseconds of CPU per operation for the harness, the host and PostgreSQL, and the share of the machine other processes took meanwhile.</summary>
    public string PerOperation(double operations, string unit)
    {
        string Ms(TimeSpan cpu) => (cpu.TotalMilliseconds / operations).ToString("0.000", CultureInfo.InvariantCulture);
        var host = Host > TimeSpan.Zero ? $", host {Ms(Host)}" : string.Empty;
        var others = Others.TotalMilliseconds / (Elapsed.TotalMilliseconds * Environment.ProcessorCount);
        return string.Create(CultureInfo.InvariantCulture,
            $"CPU ms per {unit}: harness {Ms(Harness)}{host}, PostgreSQL {Ms(Postgres)}; other processes used {others:P0} of the machine meanwhile");
    }
}

/// <summary>
/// Reads the CPU time of the harness, the host process and every PostgreSQL process of the run's
/// cluster, and of the whole machine, from <c>/proc</c>. Two things follow from the difference of two
/// readings: what one measured operation costs each side in CPU (on two cores, throughput is bounded
/// by that, not by fsync, once it is high enough), and how much of the machine other processes took
/// during the measurement (the noise every ratio in the report has to live with).
/// </summary>
internal sealed class CpuMeter
{
    /// <summary>Linux reports process and machine times in USER_HZ ticks, 100 per second.</summary>
    private const double TicksPerSecond = 100;

    private readonly int? _postmaster;

    private CpuMeter(int? postmaster)
    {
        _postmaster = postmaster;
    }

    /// <summary>The host whose CPU is counted as the host's (none while no host runs).</summary>
    public Process? Host { get; set; }

    /// <summary>Finds the cluster's postmaster: the parent of its checkpointer, which every user may see in pg_stat_activity.</summary>
    public static async Task<CpuMeter> ForClusterAsync(string adminConnection, CancellationToken ct)
    {
        if (!File.Exists("/proc/stat"))
        {
            return new CpuMeter(null);
        }

        await using var connection = new NpgsqlConnection(adminConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pid from pg_stat_activity where backend_type = 'checkpointer'", connection);
        var checkpointer = await command.ExecuteScalarAsync(ct) as int?;
        return new CpuMeter(checkpointer is { } pid ? ParentOf(pid) : null);
    }

    public Reading Read()
    {
        var harness = ProcessTicks(Environment.ProcessId, children: false);
        var host = Host is { HasExited: false } process ? ProcessTicks(process.Id, children: false) : 0;
        var postgres = _postmaster is { } postmaster ? ProcessTicks(postmaster, children: true) : 0;
        return new Reading(harness, host, postgres, MachineBusyTicks(), Stopwatch.GetTimestamp());
    }

    public CpuUse Since(Reading start)
    {
        var end = Read();
        static TimeSpan Time(double ticks) => TimeSpan.FromSeconds(Math.Max(0, ticks) / TicksPerSecond);
        var ours = (end.Harness - start.Harness) + (end.Host - start.Host) + (end.Postgres - start.Postgres);
        return new CpuUse(
            Time(end.Harness - start.Harness),
            Time(end.Host - start.Host),
            Time(end.Postgres - start.Postgres),
            Time(end.MachineBusy - start.MachineBusy - ours),
            Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp));
    }

    /// <summary>CPU ticks so far, a host's or PostgreSQL's (with <paramref name="children"/>: its live child processes and the ones it has reaped).</summary>
    private static long ProcessTicks(int pid, bool children)
    {
        var total = Ticks(pid, withReaped: children);
        if (children)
        {
            foreach (var child in ChildrenOf(pid))
            {
                total += Ticks(child, withReaped: false);
            }
        }

        return total;
    }

    /// <summary>utime + stime (and cutime + cstime) of one process, 0 when it is gone.</summary>
    private static long Ticks(int pid, bool withReaped)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return 0;
        }

        // Fields after "pid (comm)": state is [0], utime [11], stime [12], cutime [13], cstime [14].
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return withReaped
            ? ticks + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)
            : ticks;
    }

    private static int? ParentOf(int pid) =>
        StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && StatFields(pid) is { } fields
                && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Ticks all the machine's CPUs have spent busy (neither idle nor waiting for I/O).</summary>
    private static long MachineBusyTicks()
    {
        if (!File.Exists("/proc/stat"))
        {
            return 0;
        }

        // cpu user nice system idle iowait irq softirq steal …
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return cpu.Sum() - cpu[3] - cpu[4];
    }

    /// <summary>One reading of the counters.</summary>
    internal readonly record struct Reading(long Harness, long Host, long Postgres, long MachineBusy, long Timestamp);
}
