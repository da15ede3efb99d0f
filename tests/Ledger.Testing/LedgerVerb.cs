using System.Diagnostics;

namespace Ledger.Testing;

/// <summary>A command-line verb of the built host (<c>dotnet Ledger.Host.dll &lt;verb&gt; …</c>), as an operator runs it.</summary>
public static class LedgerVerb
{
    /// <summary>The verb's exit code and everything it printed (stdout, then stderr).</summary>
    public sealed record Outcome(int ExitCode, string Output)
    {
        /// <summary>The last non-empty line printed, where verbs put their result (the token verb's token).</summary>
        public string LastLine => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
    }

    /// <summary>Runs the verb with <paramref name="settings"/> as environment variables, in the Production environment, for at most <paramref name="timeout"/>.</summary>
    public static async Task<Outcome> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings, TimeSpan? timeout = null)
    {
        var start = LedgerProcess.HostStartInfo(settings);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the verb did not start");
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', arguments)}' did not finish within {(timeout ?? TimeSpan.FromSeconds(90)).TotalSeconds:0} s");
        }

        return new Outcome(process.ExitCode, await output + await error);
    }
}
