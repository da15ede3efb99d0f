using System.Security.Cryptography;
using Alba;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using NodaTime;
using NodaTime.Testing;
using Shouldly;
using Wolverine;

namespace Ledger.Integration.Tests.Security;

/// <summary>The <c>Ledger:Auth</c> settings a host refuses to start with, and what the issuer refuses to mint.</summary>
public sealed class AuthSettingsTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static TheoryData<string, AuthOptions, string> Refused => new()
    {
        { "short key", new AuthOptions { SigningKey = Convert.ToBase64String(new byte[16]) }, "at least 32 bytes" },
        { "not base64", new AuthOptions { SigningKey = "not base64!" }, "not valid base64" },
        { "two keys, none current", new AuthOptions { SigningKeys = [new() { Id = "a", Key = KeyA }, new() { Id = "b", Key = KeyB }] }, "CurrentKeyId must say" },
        { "current key not listed", new AuthOptions { SigningKeys = [new() { Id = "a", Key = KeyA }], CurrentKeyId = "b" }, "names no configured key" },
        { "a key id twice", new AuthOptions { SigningKeys = [new() { Id = "a", Key = KeyA }, new() { Id = "a", Key = KeyB }], CurrentKeyId = "a" }, "used twice" },
        { "the single key's id taken", new AuthOptions { SigningKey = KeyA, SigningKeys = [new() { Id = LocalSigningKeys.SigningKeyId, Key = KeyB }] }, "used twice" },
        { "a key id with a quote", new AuthOptions { SigningKeys = [new() { Id = "a\"b", Key = KeyA }] }, "letters, digits" },
        { "minting longer than the maximum", new AuthOptions { SigningKey = KeyA, TokenLifetime = TimeSpan.FromHours(13) }, "at most Ledger:Auth:MaxTokenLifetime" },
        { "provider over http", new AuthOptions { Authority = "http://127.0.0.1:5000/" }, "must use https" },
        { "http allowed only on loopback", new AuthOptions { Authority = "http://idp.example.org/", AllowHttpLoopbackAuthority = true }, "only on a loopback address" },
        { "a relative authority", new AuthOptions { Authority = "/idp" }, "absolute https address" },
        { "HMAC from the provider", new AuthOptions { Authority = "https://idp.example.org/", ProviderAlgorithms = ["RS256", "HS256"] }, "'HS256' is not one" },
        { "alg none from the provider", new AuthOptions { Authority = "https://idp.example.org/", ProviderAlgorithms = ["none"] }, "'none' is not one" },
        { "refreshing the provider's keys too often", new AuthOptions { Authority = "https://idp.example.org/", ProviderKeysMinimumRefreshInterval = TimeSpan.Zero }, "at least 00:00:01" },
        { "a web client without a provider", new AuthOptions { SigningKey = KeyA, WebClientId = "ledger-web" }, "set Ledger:Auth:Authority too" },
        { "a web client asking for no scope", new AuthOptions { Authority = "https://idp.example.org/", WebClientId = "ledger-web", WebScope = " " }, "WebScope must name" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_host_refuses_to_start_with(string setting, AuthOptions auth, string message)
    {
        var result = new AuthOptionsValidation().Validate(null, auth);

        result.Failed.ShouldBeTrue(setting);
        result.FailureMessage.ShouldContain(message, Case.Sensitive, setting);
    }

    [Fact]
    public void Sound_settings_pass()
    {
        var validation = new AuthOptionsValidation();
        validation.Validate(null, new AuthOptions { SigningKey = KeyA }).Succeeded.ShouldBeTrue();
        validation.Validate(null, new AuthOptions { SigningKey = KeyA, SigningKeys = [new() { Id = "2025-b", Key = KeyB }], CurrentKeyId = "2025-b" }).Succeeded.ShouldBeTrue();
        validation.Validate(null, new AuthOptions { Authority = "https://idp.example.org/", SigningKey = "ignored: local keys are off" }).Succeeded.ShouldBeTrue();
        validation.Validate(null, new AuthOptions { Authority = "http://127.0.0.1:5000/", AllowHttpLoopbackAuthority = true }).Succeeded.ShouldBeTrue();
        validation.Validate(null, new AuthOptions()).Succeeded.ShouldBeTrue("no key at all: the host serves reads, and every write is 401");
    }

    [Fact]
    public void A_minted_token_names_its_key_carries_a_fresh_jti_and_lives_as_long_as_configured()
    {
        var clock = new FakeClock(LedgerHost.Start);
        var issuer = Issuer(new AuthOptions { SigningKey = KeyA, SigningKeys = [new() { Id = "2025-b", Key = KeyB }], CurrentKeyId = "2025-b" }, clock);

        var first = new JsonWebToken(issuer.Issue("amina.k", LedgerRoles.Viewer, null));
        var second = new JsonWebToken(issuer.Issue("amina.k", LedgerRoles.Viewer, null, TimeSpan.FromHours(1)));

        first.Alg.ShouldBe("HS256");
        first.Kid.ShouldBe("2025-b");
        first.Id.ShouldNotBeNullOrEmpty();
        second.Id.ShouldNotBe(first.Id);
        (first.ValidTo - first.ValidFrom).ShouldBe(TimeSpan.FromHours(8));
        (second.ValidTo - second.ValidFrom).ShouldBe(TimeSpan.FromHours(1));
        first.ValidFrom.ShouldBe(LedgerHost.Start.ToDateTimeUtc(), "minted on the ledger's clock");
    }

    [Fact]
    public void The_issuer_refuses_a_lifetime_over_the_maximum_and_any_token_for_a_provider_backed_host()
    {
        var clock = new FakeClock(LedgerHost.Start);
        Should.Throw<ArgumentException>(() => Issuer(new AuthOptions { SigningKey = KeyA }, clock).Issue("x", LedgerRoles.Viewer, null, TimeSpan.FromHours(13)))
            .Message.ShouldContain("at most 12:00:00");
        Should.Throw<InvalidOperationException>(() => Issuer(new AuthOptions { SigningKey = KeyA, Authority = "https://idp.example.org/" }, clock).Issue("x", LedgerRoles.Viewer, null))
            .Message.ShouldContain("cannot mint");
    }

    private static TokenIssuer Issuer(AuthOptions auth, IClock clock) => new(Options.Create(auth), clock);
}

/// <summary>
/// Rotating the local signing key without a flag day, through three configurations of a running
/// ledger: the single key; the single key beside a new current one; the new key alone.
/// </summary>
public sealed class LocalKeyRotationTests : IAsyncLifetime
{
    private const string Read = "/api/meetings";
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly FakeClock _clock = new(LedgerHost.Start);
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("keys");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Tokens_of_every_listed_key_are_accepted_and_a_removed_key_is_refused()
    {
        string before;
        await using (var single = await StartAsync(new() { ["Ledger:Auth:SigningKey"] = OldKey }))
        {
            before = single.TokenFor(LedgerRoles.Viewer);
            new JsonWebToken(before).Kid.ShouldBe(LocalSigningKeys.SigningKeyId);
            (await single.GetAsync(Read, before)).Status.ShouldBe(200);
        }

        string during;
        await using (var both = await StartAsync(new()
                     {
                         ["Ledger:Auth:SigningKey"] = OldKey,
                         ["Ledger:Auth:SigningKeys:0:Id"] = "2025-b",
                         ["Ledger:Auth:SigningKeys:0:Key"] = NewKey,
                         ["Ledger:Auth:CurrentKeyId"] = "2025-b",
                     }))
        {
            during = both.TokenFor(LedgerRoles.Viewer);
            new JsonWebToken(during).Kid.ShouldBe("2025-b");
            (await both.GetAsync(Read, during)).Status.ShouldBe(200);
            (await both.GetAsync(Read, before)).Status.ShouldBe(200, "a token of the old key is still accepted");
        }

        await using var after = await StartAsync(new() { ["Ledger:Auth:SigningKeys:0:Id"] = "2025-b", ["Ledger:Auth:SigningKeys:0:Key"] = NewKey });
        (await after.GetAsync(Read, during)).Status.ShouldBe(200);
        (await after.GetAsync(Read, before)).ShouldBeProblem(401).GetProperty("detail").GetString()
            .ShouldBe("The token is signed with a key this ledger does not know.");
    }

    [Fact]
    public async Task Lifetimes_are_judged_by_the_ledgers_clock()
    {
        await using var host = await StartAsync(new() { ["Ledger:Auth:SigningKey"] = OldKey });
        var token = host.TokenFor(LedgerRoles.Viewer);
        (await host.GetAsync(Read, token)).Status.ShouldBe(200);

        _clock.Advance(Duration.FromHours(8) + Duration.FromMinutes(1));

        var expired = await host.GetAsync(Read, token);
        expired.ShouldBeProblem(401).GetProperty("detail").GetString().ShouldBe("The token has expired.");
        expired.Header("WWW-Authenticate").ShouldBe("Bearer error=\"invalid_token\", error_description=\"The token has expired\"");
    }

    private Task<IAlbaHost> StartAsync(Dictionary<string, string> auth) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", _database.ConnectionString);
            builder.UseSetting("Ledger:SeedOnStartup", "true");
            builder.UseSetting("Ledger:Dashboards:Public", "false");
            foreach (var (key, value) in auth)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(_clock);
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });
}

/// <summary>The <c>token</c> verb as an operator runs it, against a seeded ledger.</summary>
public sealed class TokenVerbTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("verb");
        await using var seeded = await LedgerHost.StartAsync(_database, new FakeClock(LedgerHost.Start), seedOnStartup: true);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task It_mints_for_a_registered_organization_and_refuses_what_it_cannot_mint()
    {
        var minted = await TokenAsync("--role", "focal-point", "--org", "fao");
        minted.ExitCode.ShouldBe(0, minted.Output);
        var token = new JsonWebToken(minted.LastLine);
        token.GetClaim(LedgerClaims.Organization).Value.ShouldBe("FAO");
        token.Kid.ShouldBe(LocalSigningKeys.SigningKeyId);

        var unknown = await TokenAsync("--role", "focal-point", "--org", "NOPE");
        unknown.ExitCode.ShouldNotBe(0);
        unknown.Output.ShouldContain("'NOPE' is not registered");

        var tooLong = await TokenAsync("--role", "viewer", "--lifetime", "13:00:00");
        tooLong.ExitCode.ShouldNotBe(0);
        tooLong.Output.ShouldContain("at most 12:00:00");

        var forProvider = await TokenAsync(new Dictionary<string, string> { ["Ledger:Auth:Authority"] = "https://idp.example.org/" }, "--role", "viewer");
        forProvider.ExitCode.ShouldNotBe(0);
        forProvider.Output.ShouldContain("cannot mint");
    }

    private Task<LedgerVerb.Outcome> TokenAsync(params string[] arguments) => TokenAsync(new Dictionary<string, string>(), arguments);

    private Task<LedgerVerb.Outcome> TokenAsync(Dictionary<string, string> settings, params string[] arguments)
    {
        settings["ConnectionStrings:Ledger"] = _database.ConnectionString;
        settings["Ledger:Auth:SigningKey"] = LedgerHost.SigningKey;
        return LedgerVerb.RunAsync(["token", .. arguments], settings);
    }
}
