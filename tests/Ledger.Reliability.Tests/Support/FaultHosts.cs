using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using JasperFx;
using Ledger.Host.Security;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Reliability.Tests.Support;

/// <summary>How the fault suite configures the host processes it starts, and the tokens their callers send.</summary>
public static class FaultHosts
{
    /// <summary>Signs the suite's tokens; fresh for each run, handed to every host the suite starts.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static readonly TokenIssuer Issuer = new(Options.Create(new AuthOptions { SigningKey = SigningKey }), SystemClock.Instance);

    /// <summary>
    /// A host on <paramref name="database"/>: seeded with the meetings' data, write rate limit out of the way
    /// (the suite measures correctness under load, not the limiter), plus <paramref name="extra"/> settings.
    /// </summary>
    public static Dictionary<string, string> Settings(TestDatabase database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Ledger"] = database.ConnectionString,
            ["Ledger:Auth:SigningKey"] = SigningKey,
            ["Ledger:SeedOnStartup"] = "true",
            ["Ledger:RateLimits:WritesPerMinute"] = 1_000_000_000.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// The ledger's own store (<c>ConfigureLedger</c>: hash chains, inline read models) on <paramref name="database"/>, for
    /// appending events in bulk beside a host process; the schema is the host's, so this store never changes it.
    /// </summary>
    public static DocumentStore Store(TestDatabase database) => DocumentStore.For(opts =>
    {
        opts.Connection(database.ConnectionString);
        opts.ConfigureLedger();
        opts.AutoCreateSchemaObjects = AutoCreate.None;
    });

    public static string Token(string role, string? organization = null, string? user = null) =>
        Issuer.Issue(user ?? $"{role}.fault-suite", role, organization);

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
