using System.Diagnostics;
using Npgsql;
using Shouldly;

namespace Ledger.Reliability.Tests.Support;

/// <summary>
/// The PostgreSQL cluster the fault suite runs on: ./test.sh starts it with the server's durable
/// defaults (fsync, synchronous_commit and full_page_writes on), unlike the throwaway cluster of the
/// other tests, and tells where it lives: <c>LEDGER_DURABLE_DATA</c> (its data folder),
/// <c>LEDGER_PG_BINDIR</c> (pg_ctl's folder) and <c>LEDGER_PG_RUN_AS</c> (the system user the server
/// runs as when the tests run as root). Durability claims are only tested here.
/// </summary>
public static class DurableCluster
{
    public static string? DataDirectory => Environment.GetEnvironmentVariable("LEDGER_DURABLE_DATA") is { Length: > 0 } d ? d : null;

    /// <summary>Whether the tests may stop and start the server (./test.sh's own cluster, not a server they were pointed at).</summary>
    public static bool CanRestart => DataDirectory is not null;

    /// <summary>Fails unless the server durably commits: fsync and synchronous_commit on.</summary>
    public static async Task AssertDurableAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var setting in new[] { "fsync", "synchronous_commit", "full_page_writes" })
        {
            await using var show = new NpgsqlCommand($"show {setting}", connection);
            (await show.ExecuteScalarAsync())!.ToString().ShouldBe("on", $"the fault suite's cluster must be durable, but {setting} is off");
        }
    }

    /// <summary><c>pg_ctl stop -m immediate</c>: the server ends as if the machine lost power (no checkpoint; recovery from the WAL at the next start).</summary>
    public static Task StopImmediatelyAsync() => PgCtlAsync("stop", "-m", "immediate", "-w", "-t", "60");

    /// <summary>
    /// Starts the server again with the options it last ran with (its port, socket folder and settings, which
    /// <c>pg_ctl start</c> would otherwise forget), and waits until it accepts connections.
    /// </summary>
    public static Task StartAsync() =>
        PgCtlAsync("start", "-w", "-t", "120", "-l", Path.Combine(Path.GetDirectoryName(Data())!, "postgres.log"), "-o", LastOptions());

    /// <summary><c>pg_ctl restart -m immediate</c>: crash and start again at once.</summary>
    public static Task RestartImmediatelyAsync() => PgCtlAsync("restart", "-m", "immediate", "-w", "-t", "120", "-l", Path.Combine(Path.GetDirectoryName(Data())!, "postgres.log"));

    /// <summary>
    /// The server's options from <c>postmaster.opts</c> (what it last started with, as quoted arguments after the
    /// binary), less the data folder, quoted again for the shell pg_ctl hands <c>-o</c> to.
    /// </summary>
    private static string LastOptions()
    {
        var recorded = File.ReadAllText(Path.Combine(Data(), "postmaster.opts"));
        var arguments = System.Text.RegularExpressions.Regex.Matches(recorded, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value).ToList();
        var at = arguments.IndexOf("-D");
        if (at >= 0)
        {
            arguments.RemoveRange(at, Math.Min(2, arguments.Count - at));
        }

        return string.Join(' ', arguments.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
    }

    private static string Data() => DataDirectory ?? throw new InvalidOperationException(
        "No durable cluster to restart: run the fault suite through ./test.sh (LEDGER_DURABLE_DATA is not set).");

    private static async Task PgCtlAsync(params string[] arguments)
    {
        var pgCtl = Path.Combine(Environment.GetEnvironmentVariable("LEDGER_PG_BINDIR") ?? throw new InvalidOperationException("LEDGER_PG_BINDIR is not set"), "pg_ctl");
        var runAs = Environment.GetEnvironmentVariable("LEDGER_PG_RUN_AS");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(runAs) ? pgCtl : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        if (!string.IsNullOrEmpty(runAs))
        {
            foreach (var a in new[] { "-u", runAs, "--", pgCtl })
            {
                start.ArgumentList.Add(a);
            }
        }

        start.ArgumentList.Add(arguments[0]);
        start.ArgumentList.Add("-D");
        start.ArgumentList.Add(Data());
        foreach (var a in arguments.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("pg_ctl did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"pg_ctl {string.Join(' ', arguments)} failed: {output}{error}");
    }
}
