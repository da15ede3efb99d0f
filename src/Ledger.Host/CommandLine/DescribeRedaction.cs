using System.Text.RegularExpressions;
using Ledger.Host.DatabaseRoles;

namespace Ledger.Host.CommandLine;

/// <summary>
/// <c>describe</c> prints every configuration value with its source, environment variables included. Before it does,
/// every secret is replaced in every configuration source, so its output can go into a ticket or a build log:
/// passwords in connection strings, keys (<c>Ledger:Auth:SigningKey</c>, <c>…:Key</c>, <c>Ledger:TreeHeads:Key</c>),
/// tokens, secrets, and any PEM text. The services that need the real values (the database connections) take them first.
/// </summary>
public static partial class DescribeRedaction
{
    public const string Verb = "describe";

    public const string Redacted = "(redacted)";

    private static readonly string[] SecretNames = ["password", "secret", "token", "pwd", "passphrase", "credential"];

    public static void Apply(WebApplication app)
    {
        try
        {
            // The database connections as configured, before their passwords are blanked out below.
            _ = app.Services.GetRequiredService<LedgerConnections>();
        }
        catch (InvalidOperationException)
        {
            // No connection string: describe says so itself.
        }

        var root = (IConfigurationRoot)app.Configuration;
        foreach (var (key, value) in root.AsEnumerable().Where(e => e.Value is not null).ToList())
        {
            if (Redact(key, value!) == value)
            {
                continue;
            }

            foreach (var provider in root.Providers)
            {
                if (provider.TryGet(key, out var given) && given is not null)
                {
                    provider.Set(key, Redact(key, given));
                }
            }
        }
    }

    /// <summary>The value as describe may show it: secrets replaced by <see cref="Redacted"/>.</summary>
    public static string Redact(string key, string value)
    {
        var name = key[(key.LastIndexOf(':') + 1)..].ToLowerInvariant();
        if (value.Contains("-----BEGIN", StringComparison.Ordinal)
            || name.EndsWith("key", StringComparison.Ordinal)
            || SecretNames.Any(s => name.Contains(s, StringComparison.Ordinal)))
        {
            return value.Length == 0 ? value : Redacted;
        }

        return PasswordInConnectionString().Replace(value, m => $"{m.Groups["name"].Value}={Redacted}");
    }

    [GeneratedRegex(@"(?<name>\b(password|pwd))\s*=\s*(""[^""]*""|'[^']*'|[^;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordInConnectionString();
}
