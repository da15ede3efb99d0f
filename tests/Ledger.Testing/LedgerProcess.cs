using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Ledger.Testing;

/// <summary>
/// The ledger's host as it is deployed: its own process (the built <c>Ledger.Host.dll</c>), Kestrel on a
/// loopback port, the Production environment, configured only through environment variables. Fault
/// tests kill it (<see cref="Kill"/> is SIGKILL: no shutdown code runs), stop it as a service manager
/// does (<see cref="StopAsync"/> is SIGTERM) and start it again on the same port.
/// </summary>
public sealed class LedgerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private LedgerProcess(Process process, StreamWriter log, Uri address, string logPath)
    {
        _process = process;
        _log = log;
        Address = address;
        LogPath = logPath;
    }

    public Uri Address { get; }

    /// <summary>The operating system's id of the host process.</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the host printed (stdout and stderr, interleaved as received).</summary>
    public string LogPath { get; }

    /// <summary>
    /// Starts the host with <paramref name="settings"/> (configuration keys such as
    /// <c>ConnectionStrings:Ledger</c>; passed as environment variables) and waits until <c>/health</c>
    /// answers 200 (or, with <paramref name="waitUntilHealthy"/> false, until it listens at all).
    /// </summary>
    public static async Task<LedgerProcess> StartAsync(
        string name, IReadOnlyDictionary<string, string> settings, int? port = null, bool waitUntilHealthy = true,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port ?? LoopbackPort.Free()}"));
        var start = HostStartInfo(settings);
        start.Environment["ASPNETCORE_URLS"] = address.ToString();

        var logPath = Path.Combine(LogDirectory(), $"{name}-{DateTime.UtcNow:HHmmssfff}.log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("the host process did not start");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new LedgerProcess(process, log, address, logPath);
        try
        {
            await host.WaitUntilServingAsync(waitUntilHealthy, timeout ?? TimeSpan.FromSeconds(90), ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new() { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };

    /// <summary>
    /// SIGKILL, as <c>kill -9</c>: the process ends at once, mid-request, without running any shutdown code. Checks that
    /// the fault happened: the process died of SIGKILL (exit status 128 + 9) and its process id is gone.
    /// </summary>
    public void Kill()
    {
        var pid = _process.Id;
        var running = !_process.HasExited;
        if (running)
        {
            _process.Kill();
        }

        _process.WaitForExit();
        if (running && _process.ExitCode != 137)
        {
            throw new InvalidOperationException($"host {pid} was sent SIGKILL but ended with exit code {_process.ExitCode}");
        }

        if (Directory.Exists($"/proc/{pid}"))
        {
            throw new InvalidOperationException($"host {pid} is still in the process table after SIGKILL");
        }
    }

    /// <summary>SIGTERM, as a service manager stops a service; waits for the process to end (SIGKILL after <paramref name="grace"/>).</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
                          ?? throw new InvalidOperationException("kill did not start"))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public string ReadLog()
    {
        lock (_log)
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }
    }

    /// <summary>
    /// The log once at least <paramref name="lines"/> of its lines hold <paramref name="text"/> (the console logger writes
    /// from a queue of its own, and the start line comes once the host listens, so a healthy host may not have printed
    /// it yet); a <see cref="TimeoutException"/> with the log's last lines after <paramref name="timeout"/> (20 s).
    /// </summary>
    public async Task<string> WaitForLogAsync(string text, int lines = 1, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var watch = Stopwatch.StartNew();
        var log = ReadLog();
        while (log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal)) < lines)
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException(
                    $"fewer than {lines} lines of the host's log hold '{text}' after {limit.TotalSeconds:0} s; its last lines:\n{Tail(log)}");
            }

            await Task.Delay(100);
            log = ReadLog();
        }

        return log;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task WaitUntilServingAsync(bool healthy, TimeSpan timeout, CancellationToken ct)
    {
        using var client = CreateClient(TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                // The parameterless wait returns once the output handlers have read the last lines the host wrote:
                // without it, a host that failed at once may be reported with an empty log.
                _process.WaitForExit();
                throw new InvalidOperationException($"the host exited with code {_process.ExitCode} while starting:\n{Tail(ReadLog())}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), ct);
                if (!healthy || response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Starting slowly.
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"the host did not {(healthy ? "become healthy" : "listen")} within {timeout.TotalSeconds:0} s:\n{Tail(ReadLog())}");
    }

    /// <summary>
    /// The host's process as deployed: the Production environment, its build output as the content root, and only the
    /// connection strings the test gives it. Whatever the test process inherited (./test.sh's connection strings to its
    /// cluster's own database, the superuser's) is removed first, as ./run.sh removes it for a serving host.
    /// </summary>
    internal static ProcessStartInfo HostStartInfo(IReadOnlyDictionary<string, string> settings)
    {
        var dll = HostDll();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var inherited in start.Environment.Keys
                     .Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                                 || k.StartsWith("LEDGER_TEST_", StringComparison.Ordinal) || k == "LEDGER_ADMIN_CONNECTION")
                     .ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_CONTENTROOT"] = Path.GetDirectoryName(dll)!;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>
    /// The host's own build output: <c>LEDGER_HOST_DLL</c> when set, else <c>src/Ledger.Host/bin/&lt;configuration&gt;/net10.0</c>
    /// of the checkout these tests were built from, in the tests' own configuration.
    /// </summary>
    private static string HostDll()
    {
        if (Environment.GetEnvironmentVariable("LEDGER_HOST_DLL") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new FileNotFoundException("LEDGER_HOST_DLL names no file", configured);
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release"; // …/bin/<configuration>/net10.0/
        var dll = Path.Combine(RepositoryRoot(), "src", "Ledger.Host", "bin", configuration, "net10.0", "Ledger.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The host is not built in {configuration}: build Ledger.sln first", dll);
    }

    /// <summary>The checkout these tests were built from: the folder above the test assembly that holds <c>Ledger.sln</c>.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ledger.sln not found above the test assembly (or set LEDGER_HOST_DLL for the host)");
    }

    private static string LogDirectory()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "hosts");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
