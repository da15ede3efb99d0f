using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Operations.Tests;

/// <summary>
/// <c>./run.sh</c> itself, twice, on a cluster folder and ports of its own (never a developer's <c>.ledger/</c>):
/// <list type="number">
/// <item>a fresh cluster: the host serves with the runtime role's connection string only, that role cannot change an
/// event, and <c>kill</c> (TERM) of the script stops the host and then PostgreSQL;</item>
/// <item>the same folder turned into the previous version's layout (everything owned by <c>ledger_app</c>): the script
/// upgrades it in place, the data is kept, and Ctrl-C (INT to the whole process group) stops host and cluster;</item>
/// <item><c>./run.sh token</c> with nothing serving, as the README captures it: the token is the last line of standard
/// output, the script's status lines (starting and stopping the cluster) are on standard error.</item>
/// </list>
/// </summary>
public sealed class RunScript(ITestOutputHelper output)
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task run_sh_serves_with_the_runtime_role_only_upgrades_an_old_cluster_stops_host_and_cluster_on_term_and_int_and_mints_a_token_on_stdout()
    {
        var state = Path.Combine(Path.GetTempPath(), $"ledger-run-sh-{Guid.NewGuid():N}");
        var pgPort = LoopbackPort.Free();
        var httpPort = LoopbackPort.Free();
        try
        {
            // 1. A fresh cluster; stopped as a service manager does: TERM to the script's process.
            var watch = Stopwatch.StartNew();
            await using (var first = await ScriptRun.StartAsync(state, pgPort, httpPort, output))
            {
                var health = await first.WaitUntilHealthyAsync(StartLimit);
                health.GetProperty("checks").GetProperty("protection").GetProperty("data").GetProperty("mode").GetString().ShouldBe("two-roles");
                Figure($"first start (cluster created, db-apply, host seeded) {watch.Elapsed.TotalSeconds:0.0} s");

                var host = first.HostProcess();
                var environment = EnvironmentOf(host);
                environment.ShouldContainKey("ConnectionStrings__Ledger");
                environment["ConnectionStrings__Ledger"].ShouldContain("Username=ledger_app");
                environment.ShouldNotContainKey("ConnectionStrings__LedgerOwner");
                environment.ShouldNotContainKey("LEDGER_ADMIN_CONNECTION");

                await using (var runtime = new NpgsqlConnection(Connection(state, pgPort, "ledger_app", "pg-app-password")))
                {
                    await runtime.OpenAsync();
                    foreach (var sql in (string[])["update ledger.mt_events set data = '{}'", "alter table ledger.mt_events disable trigger user"])
                    {
                        await using var command = new NpgsqlCommand(sql, runtime);
                        (await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync())).SqlState
                            .ShouldBe(PostgresErrorCodes.InsufficientPrivilege, sql);
                    }
                }

                // The previous version's layout: the database and everything in it owned by ledger_app.
                await using (var admin = new NpgsqlConnection(Connection(state, pgPort, "ledger", "pg-password")))
                {
                    await admin.OpenAsync();
                    await using var old = new NpgsqlCommand("alter database ledger owner to ledger_app; reassign owned by ledger_owner to ledger_app", admin);
                    await old.ExecuteNonQueryAsync();
                }

                watch.Restart();
                var code = await first.SignalAsync("TERM", group: false, StopLimit);
                Figure($"TERM to run.sh: exit {code} after {watch.Elapsed.TotalSeconds:0.0} s");
                code.ShouldBe(143, first.Output);
                ProcessExists(host).ShouldBeFalse("the host outlived run.sh");
                ClusterRunning(state).ShouldBeFalse("PostgreSQL outlived run.sh");
            }

            // 2. The same folder again: upgraded in place, data kept; stopped as Ctrl-C does (INT to the process group).
            watch.Restart();
            await using (var second = await ScriptRun.StartAsync(state, pgPort, httpPort, output))
            {
                var health = await second.WaitUntilHealthyAsync(StartLimit);
                Figure($"second start (upgrade, db-apply, host) {watch.Elapsed.TotalSeconds:0.0} s");
                second.Output.ShouldContain("upgrading database ledger: ownership moves from ledger_app to ledger_owner");
                var checks = health.GetProperty("checks");
                checks.GetProperty("protection").GetProperty("status").GetString().ShouldBe("healthy");
                checks.GetProperty("protection").GetProperty("data").GetProperty("schemaOwner").GetString().ShouldBe("ledger_owner");
                checks.GetProperty("database").GetProperty("data").GetProperty("events").GetInt64().ShouldBe(52);

                var host = second.HostProcess();
                watch.Restart();
                var code = await second.SignalAsync("INT", group: true, StopLimit);
                Figure($"Ctrl-C (INT to the process group): exit {code} after {watch.Elapsed.TotalSeconds:0.0} s");
                code.ShouldBe(130, second.Output);
                ProcessExists(host).ShouldBeFalse("the host outlived run.sh");
                ClusterRunning(state).ShouldBeFalse("PostgreSQL outlived run.sh");
            }

            // 3. The README's `TOKEN=$(./run.sh token --role auditor | tail -n 1)` with nothing serving: the script
            // starts the cluster for the verb and stops it after; its own status lines go to standard error.
            watch.Restart();
            var (exit, stdout, stderr) = await ScriptRun.VerbAsync(state, pgPort, httpPort, output, StartLimit, "token", "--role", "auditor");
            Figure($"run.sh token (cluster started and stopped) exit {exit} after {watch.Elapsed.TotalSeconds:0.0} s");
            exit.ShouldBe(0, stderr);
            stderr.ShouldContain("==> stopping PostgreSQL");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            lines.ShouldNotContain(line => line.StartsWith("==>", StringComparison.Ordinal), stdout);
            lines.ShouldNotBeEmpty(stderr);
            var token = lines[^1];
            token.Split('.').Length.ShouldBe(3, $"the last line of standard output is not a JWT: {token}");
            JsonDocument.Parse(Base64UrlDecode(token.Split('.')[1])).RootElement.GetProperty("role").GetString().ShouldBe("auditor");
            ClusterRunning(state).ShouldBeFalse("PostgreSQL outlived run.sh token");
        }
        finally
        {
            StopClusterIfLeft(state);
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static byte[] Base64UrlDecode(string part)
    {
        var base64 = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }

    private void Figure(string text) => output.WriteLine("run.sh: " + text);

    private static string Connection(string state, int port, string user, string passwordFile) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = "ledger",
            Username = user,
            Password = File.ReadAllText(Path.Combine(state, passwordFile)).Trim(),
            Pooling = false,
        }.ConnectionString;

    private static Dictionary<string, string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2))
            .ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : string.Empty, StringComparer.Ordinal);

    private static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");

    private static bool ClusterRunning(string state) => File.Exists(Path.Combine(state, "postgres", "postmaster.pid"));

    /// <summary>If a failed run left the cluster up, stop it (immediate shutdown) so the folder can go.</summary>
    private static void StopClusterIfLeft(string state)
    {
        var pidFile = Path.Combine(state, "postgres", "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-QUIT", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            kill?.WaitForExit();
        }

        for (var i = 0; i < 100 && ProcessExists(pid); i++)
        {
            Thread.Sleep(100);
        }
    }

    /// <summary>One <c>./run.sh</c>, in a session (and process group) of its own, as a terminal would run it.</summary>
    private sealed class ScriptRun : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly int _httpPort;

        private ScriptRun(Process process, int httpPort)
        {
            _process = process;
            _httpPort = httpPort;
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static Task<ScriptRun> StartAsync(string state, int pgPort, int httpPort, ITestOutputHelper output)
        {
            var start = StartInfo(state, pgPort, httpPort);
            var process = Process.Start(start) ?? throw new InvalidOperationException("run.sh did not start");
            var run = new ScriptRun(process, httpPort);
            process.OutputDataReceived += (_, e) => run.Append(e.Data, output);
            process.ErrorDataReceived += (_, e) => run.Append(e.Data, output);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return Task.FromResult(run);
        }

        /// <summary>
        /// <c>./run.sh VERB ARGS</c> to its end: exit code, standard output and standard error apart, as a caller
        /// capturing the output with <c>$(...)</c> sees them.
        /// </summary>
        public static async Task<(int Exit, string Stdout, string Stderr)> VerbAsync(
            string state, int pgPort, int httpPort, ITestOutputHelper output, TimeSpan limit, params string[] verb)
        {
            var start = StartInfo(state, pgPort, httpPort);
            foreach (var arg in verb)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("run.sh did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Its session is its process group (setsid): the verb's host and the cluster's pg_ctl go with it.
                using (var kill = Process.Start("kill", ["-KILL", "--", "-" + process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    kill?.WaitForExit();
                }

                throw new TimeoutException($"run.sh {string.Join(' ', verb)} did not finish within {limit.TotalSeconds:0} s");
            }

            var (outText, errText) = (await stdout, await stderr);
            output.WriteLine(errText);
            output.WriteLine(outText);
            return (process.ExitCode, outText, errText);
        }

        private static ProcessStartInfo StartInfo(string state, int pgPort, int httpPort)
        {
            var repo = LedgerProcess.RepositoryRoot();
            var start = new ProcessStartInfo("setsid")
            {
                WorkingDirectory = repo,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // As from a terminal: INT handled by default (a process started in the background inherits it ignored).
            start.ArgumentList.Add("env");
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add(Path.Combine(repo, "run.sh"));
            foreach (var inherited in start.Environment.Keys
                         .Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Ledger__", StringComparison.OrdinalIgnoreCase)
                                     || k.StartsWith("LEDGER_", StringComparison.Ordinal) || k == "ASPNETCORE_URLS")
                         .ToList())
            {
                start.Environment.Remove(inherited);
            }

            start.Environment["LEDGER_STATE_DIR"] = state;
            start.Environment["LEDGER_PG_PORT"] = pgPort.ToString(CultureInfo.InvariantCulture);
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}";
            // A throwaway cluster: no need to wait for the disk.
            start.Environment["LEDGER_INITDB_OPTIONS"] = "--no-sync";
            start.Environment["LEDGER_PG_OPTIONS"] = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            // The script's build must leave no build servers behind.
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            start.Environment["UseSharedCompilation"] = "false";

            return start;
        }

        public async Task<JsonElement> WaitUntilHealthyAsync(TimeSpan limit)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(5) };
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < limit)
            {
                _process.HasExited.ShouldBeFalse($"run.sh exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
                try
                {
                    using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException)
                {
                    // Starting slowly.
                }

                await Task.Delay(250);
            }

            throw new TimeoutException($"run.sh did not serve within {limit.TotalSeconds:0} s:\n{Output}");
        }

        /// <summary>The host: the one child of the script while it serves.</summary>
        public int HostProcess()
        {
            var children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            var host = children.Where(c => File.ReadAllText($"/proc/{c}/cmdline").Contains("Ledger.Host.dll", StringComparison.Ordinal)).ToList();
            host.Count.ShouldBe(1, $"children of run.sh: {string.Join(", ", children)}");
            return host[0];
        }

        /// <summary>Sends a signal (to the script, or to its whole process group as a terminal's Ctrl-C) and waits for its exit code.</summary>
        public async Task<int> SignalAsync(string signal, bool group, TimeSpan limit)
        {
            var target = (group ? "-" : string.Empty) + _process.Id.ToString(CultureInfo.InvariantCulture);
            using (var kill = Process.Start("kill", ["-" + signal, "--", target]) ?? throw new InvalidOperationException("kill did not start"))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(limit);
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                using var kill = Process.Start("kill", ["-KILL", "--", "-" + _process.Id.ToString(CultureInfo.InvariantCulture)]);
                kill?.WaitForExit();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Append(string? line, ITestOutputHelper output)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            try
            {
                output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test has finished.
            }
        }
    }
}
