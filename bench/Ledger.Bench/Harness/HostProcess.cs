using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ledger.Bench.Harness;

/// <summary>
/// The ledger's host as it is deployed: its own process, Kestrel on a loopback port, the Production
/// environment, the runtime database role. The harness talks to it over real HTTP, so a
/// measured request pays for sockets, HTTP parsing and the whole ASP.NET Core pipeline, and the host's
/// garbage collector and thread pool are not shared with the load generator.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    /// <summary>
    /// Writes per caller per minute. The product's default (120) exists to protect it from one runaway
    /// client; a throughput benchmark with 16 clients would only measure the 429s.
    /// </summary>
    public const string UnlimitedWritesPerMinute = "1000000000";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private volatile bool _stopping;

    private HostProcess(Process process, StreamWriter log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The host's process, whose CPU the harness counts as the host's.</summary>
    public Process Process => _process;

    /// <summary>
    /// Applies the schema as ./run.sh does: <c>db-apply</c> in a process of its own, as the owner, which also installs
    /// the protection and grants the runtime role its privileges.
    /// </summary>
    public static async Task ApplySchemaAsync(BenchOptions options, PhaseDatabase database, string name, CancellationToken ct)
    {
        var start = Start(options, database.Runtime);
        start.Environment["ConnectionStrings__LedgerOwner"] = database.Owner;
        start.ArgumentList.Add("db-apply");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("db-apply did not start");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        var log = Path.Combine(options.Work, $"db-apply-{name}.log");
        await File.WriteAllTextAsync(log, await output + await errors, ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"db-apply failed with exit code {process.ExitCode}; see {log}");
        }
    }

    /// <summary>Starts the host on <paramref name="connectionString"/> (the runtime role) and waits until <c>/health</c> answers 200.</summary>
    public static async Task<HostProcess> StartAsync(
        BenchOptions options, string connectionString, string signingKey, string name, CancellationToken ct, bool runsProjections = true)
    {
        var port = FreePort();
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var start = Start(options, connectionString);
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["Ledger__Auth__SigningKey"] = signingKey;
        start.Environment["Ledger__RateLimits__WritesPerMinute"] = UnlimitedWritesPerMinute;
        start.Environment["Ledger__Cluster__RunsProjections"] = runsProjections ? "true" : "false";
        start.Environment["Ledger__SeedOnStartup"] = runsProjections ? "true" : "false";

        var log = new StreamWriter(Path.Combine(options.Work, $"host-{name}.log"), append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("the host process did not start");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new HostProcess(process, log, address);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (!host._stopping)
            {
                Say.Progress($"error: the host process exited while in use (code {process.ExitCode}); see {host.LogName}");
            }
        };
        try
        {
            await host.WaitUntilHealthyAsync(TimeSpan.FromMinutes(3), ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the host as an operator would (SIGTERM), so it leaves the cluster's node table tidy.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
                              ?? throw new InvalidOperationException("kill did not start"))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    /// <summary>
    /// Waits until the host has finished what it does once after starting (its daemon's first pass over the
    /// projections, the seed's check, the first caches): until its CPU over one second stays under a twentieth of
    /// a core, for at most <paramref name="limit"/>. Returns how long it took, so a measurement of requests
    /// counts the requests' own CPU and not the start's.
    /// </summary>
    public async Task<TimeSpan> WaitUntilQuietAsync(TimeSpan limit, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        _process.Refresh();
        var before = _process.TotalProcessorTime;
        while (watch.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            _process.Refresh();
            var now = _process.TotalProcessorTime;
            if ((now - before).TotalSeconds < 0.05)
            {
                break;
            }

            before = now;
        }

        return watch.Elapsed;
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the host exited with code {_process.ExitCode}; see {LogName}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
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

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"the host did not become healthy within {timeout.TotalSeconds:0} s; see {LogName}");
    }

    private string LogName => ((FileStream)_log.BaseStream).Name;

    /// <summary>The host's process with the runtime role's connection string, and neither the owner's nor the superuser's.</summary>
    private static ProcessStartInfo Start(BenchOptions options, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(options.HostDll))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.GetFullPath(options.HostDll));
        start.Environment.Remove("ConnectionStrings__LedgerOwner");
        start.Environment.Remove("LEDGER_ADMIN_CONNECTION");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        return start;
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
