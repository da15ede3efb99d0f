using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>
/// Debian's <c>prometheus</c> (installed by ./test.sh; <c>LEDGER_PROMETHEUS</c> may name another binary) as an operator
/// runs it: a generated configuration that scrapes one target every second, its storage in a temporary folder, its
/// web API on a loopback port. Disposing kills it and removes the folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly HttpClient _client;

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
    }

    public static string Binary =>
        Environment.GetEnvironmentVariable("LEDGER_PROMETHEUS") is { Length: > 0 } configured ? configured : "/usr/bin/prometheus";

    /// <summary>Starts Prometheus scraping <paramref name="target"/>'s <c>/metrics</c> and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, TimeSpan timeout)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"Debian's prometheus is needed at {Binary}: ./test.sh installs it (apt-get install prometheus), or set LEDGER_PROMETHEUS.");
        }

        var folder = Directory.CreateTempSubdirectory("ledger-prometheus-").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: ledger
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']
            """));
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{LoopbackPort.Free()}"));
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                     $"--web.listen-address={address.Authority}", "--log.level=warn",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var log = Path.Combine(folder, "prometheus.log");
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => Append(gate, log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(gate, log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PrometheusServer(process, folder, address);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited || watch.Elapsed > timeout)
            {
                var output = File.Exists(log) ? await File.ReadAllTextAsync(log) : string.Empty;
                await server.DisposeAsync();
                throw new InvalidOperationException($"prometheus was not ready within {timeout.TotalSeconds:0} s:\n{output}");
            }

            try
            {
                using var ready = await server._client.GetAsync(new Uri("/-/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An instant query through the HTTP API: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await _client.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(series => (
                (IReadOnlyDictionary<string, string>)series.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _client.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static void Append(Lock gate, string log, string? line)
    {
        if (line is not null)
        {
            lock (gate)
            {
                File.AppendAllLines(log, [line]);
            }
        }
    }
}
