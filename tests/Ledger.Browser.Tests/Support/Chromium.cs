using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// Debian's Chromium, driven by Playwright through <c>ExecutablePath</c>: Playwright's own browser
/// download cannot work here, and nothing tries it. ./test.sh installs the package when missing.
/// </summary>
public static class Chromium
{
    /// <summary>Overrides where Chromium is looked for.</summary>
    public const string ExecutableVariable = "LEDGER_CHROMIUM";

    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    /// <summary>
    /// The browser binary, or an exception that says how to get one: a missing browser fails the
    /// tests, it never skips them.
    /// </summary>
    public static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable(ExecutableVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{ExecutableVariable} names {configured}, which does not exist.");
        }

        return Candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            $"Chromium was not found at {string.Join(" or ", Candidates)}. The browser tests need Debian's chromium: "
            + "run ./test.sh (it installs it), or `sudo apt-get install -y chromium`, or set "
            + $"{ExecutableVariable} to a Chromium binary.");
    }

    public static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = Executable(),
        Headless = true,

        // No sandbox (tests may run as root); and no calls home, which a closed network refuses.
        Args =
        [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    };
}
