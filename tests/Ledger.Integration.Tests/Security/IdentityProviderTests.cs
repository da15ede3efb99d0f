using System.Net;
using System.Text;
using System.Text.Json;
using Alba;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Security;

/// <summary>The clients of the tests' identity provider, one per kind of caller.</summary>
public static class ProviderClients
{
    public static readonly ProviderClient Secretariat = new("ledger-secretariat", LedgerRoles.Secretariat);
    public static readonly ProviderClient Auditor = new("ledger-auditor", LedgerRoles.Auditor);
    public static readonly ProviderClient Fao = new("fao-reporting", LedgerRoles.FocalPoint, "FAO");
    public static readonly ProviderClient Unrwa = new("unrwa-reporting", LedgerRoles.FocalPoint, "UNRWA");
    public static readonly ProviderClient Viewer = new("bi-dashboard", LedgerRoles.Viewer);

    public static IReadOnlyList<ProviderClient> All { get; } = [Secretariat, Auditor, Fao, Unrwa, Viewer];
}

/// <summary>A provider with one signing key and a ledger host pointed at it, on a seeded database of its own.</summary>
public sealed class ProviderFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public TestIdentityProvider Provider { get; private set; } = null!;

    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("oidc");
        Provider = await TestIdentityProvider.StartAsync(ProviderClients.All, TestIdentityProvider.NewKey("provider-2025-01"));
        Host = await ProviderBackedLedger.StartAsync(_database, Provider);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Provider.DisposeAsync();
        await _database!.DisposeAsync();
    }
}

/// <summary>
/// The <c>Ledger:Auth:Authority</c> path end to end, against a real OpenID Connect provider: the host
/// reads its discovery document and keys, accepts the access tokens it issues by client credentials
/// with the roles and organizations they carry, and refuses every other token, its own local ones included.
/// </summary>
public sealed class IdentityProviderTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>
{
    private const string Review = """{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":"Reviewed through the identity provider."}""";
    private const string Progress = """{"status":"in-progress","narrative":"Joint missions started.","asOf":"2024-07-24","percentComplete":10}""";

    private IAlbaHost Host => fixture.Host;

    private TestIdentityProvider Provider => fixture.Provider;

    [Fact]
    public async Task A_provider_token_of_the_secretariat_records_a_review_under_its_client()
    {
        var before = await Host.EventCountAsync();
        var token = await Provider.TokenAsync(ProviderClients.Secretariat);

        var recorded = await Host.PostAsync("/api/commitments/AST-2024-06/reviews", Review, token);

        recorded.Status.ShouldBe(200, recorded.Body);
        (await Host.EventCountAsync()).ShouldBe(before + 1);
        Provider.Hits("/.well-known/openid-configuration").ShouldBeGreaterThan(0, "the host reads the provider's discovery document");
        Provider.Hits("/.well-known/jwks").ShouldBeGreaterThan(0, "and its keys");
        var history = await Host.GetAsync("/api/commitments/AST-2024-06/history", await Provider.TokenAsync(ProviderClients.Auditor));
        history.Status.ShouldBe(200, history.Body);
        history.Json.GetProperty("events").EnumerateArray().Last().GetProperty("user").GetString().ShouldBe(ProviderClients.Secretariat.Id);
    }

    [Fact]
    public async Task The_provider_authenticates_its_clients()
    {
        var (status, body) = await Provider.RequestTokenAsync(ProviderClients.Secretariat.Id, "not-the-secret");

        status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized);
        body.ShouldContain("invalid_client");
    }

    [Fact]
    public async Task A_focal_point_acts_only_for_the_organization_its_token_names()
    {
        var before = await Host.EventCountAsync();
        var fao = await Provider.TokenAsync(ProviderClients.Fao);

        (await Host.PostAsync("/api/commitments/AST-2024-06/progress", Progress, await Provider.TokenAsync(ProviderClients.Unrwa)))
            .ShouldBeProblem(403).GetProperty("detail").GetString()!.ShouldContain("FAO");
        (await Host.PostAsync("/api/commitments/AST-2024-06/reviews", Review, fao)).ShouldBeProblem(403);
        (await Host.PostAsync("/api/commitments/AST-2024-06/progress", Progress, await Provider.TokenAsync(ProviderClients.Viewer))).ShouldBeProblem(403);
        (await Host.EventCountAsync()).ShouldBe(before);

        var reported = await Host.PostAsync("/api/commitments/AST-2024-06/progress", Progress, fao);
        reported.Status.ShouldBe(200, reported.Body);
        (await Host.EventCountAsync()).ShouldBe(before + 1);
    }

    [Fact]
    public async Task Locally_minted_tokens_are_refused_and_the_host_mints_none()
    {
        var before = await Host.EventCountAsync();
        var local = new TokenIssuer(Options.Create(new AuthOptions { SigningKey = LedgerHost.SigningKey }), SystemClock.Instance)
            .Issue("officer", LedgerRoles.Secretariat, null);

        var refused = await Host.PostAsync("/api/commitments/AST-2024-06/reviews", Review, local);

        refused.ShouldBeProblem(401).GetProperty("type").GetString().ShouldBe(AuthProblems.UnauthorizedType);
        refused.Header("WWW-Authenticate")!.ShouldStartWith("Bearer error=\"invalid_token\"");
        (await Host.GetAsync("/api/meetings", local)).Status.ShouldBe(401);
        (await Host.EventCountAsync()).ShouldBe(before);
        Should.Throw<InvalidOperationException>(() => Host.Services.GetRequiredService<TokenIssuer>().Issue("officer", LedgerRoles.Secretariat, null))
            .Message.ShouldContain("cannot mint");
    }

    [Fact]
    public async Task Tokens_that_are_not_the_providers_own_are_refused()
    {
        var key = Provider.Keys[0];
        var publicKeyAsSecret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key.Rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = key.KeyId };
        var impostor = TestIdentityProvider.NewKey(key.KeyId!);
        var before = await Host.EventCountAsync();

        // The forger itself is sound: its token, signed with the provider's real key, is accepted.
        (await Host.GetAsync("/api/meetings", Forge(key, SecurityAlgorithms.RsaSha256))).Status.ShouldBe(200);

        var cases = new (string Case, string Token, string Reason)[]
        {
            ("another issuer", Forge(key, SecurityAlgorithms.RsaSha256, issuer: "https://intruder.example/"), "issuer"),
            ("another audience", Forge(key, SecurityAlgorithms.RsaSha256, audience: "another-service"), "audience"),
            ("RS384, not in the accepted list", Forge(key, SecurityAlgorithms.RsaSha384), "algorithm"),
            ("HS256 keyed with the provider's public key", Forge(publicKeyAsSecret, SecurityAlgorithms.HmacSha256), "algorithm"),
            ("alg=none", Unsigned(), "algorithm"),
            ("another key under the provider's key id", Forge(impostor, SecurityAlgorithms.RsaSha256), "signature"),
            ("no jti", Forge(key, SecurityAlgorithms.RsaSha256, withTokenId: false), "jti"),
        };
        foreach (var (name, token, reason) in cases)
        {
            var answer = await Host.PostAsync("/api/commitments/AST-2024-06/reviews", Review, token);
            answer.Status.ShouldBe(401, $"{name}: {answer.Body}");
            answer.ShouldBeProblem(401).GetProperty("detail").GetString()!.ShouldContain(reason, Case.Insensitive, name);
            answer.Header("WWW-Authenticate")!.ShouldStartWith("Bearer");
        }

        (await Host.EventCountAsync()).ShouldBe(before);
    }

    /// <summary>A token shaped like the provider's, signed by the test with <paramref name="key"/>.</summary>
    private string Forge(SecurityKey key, string algorithm, string? issuer = null, string? audience = null, bool withTokenId = true) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(Claims(issuer, audience, withTokenId)), new SigningCredentials(key, algorithm));

    private string Unsigned() =>
        Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""") + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(Claims(null, null, true))) + ".";

    private Dictionary<string, object> Claims(string? issuer, string? audience, bool withTokenId)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer ?? Provider.Address.ToString(),
            ["aud"] = audience ?? TestIdentityProvider.Audience,
            ["sub"] = "forger",
            ["role"] = LedgerRoles.Secretariat,
            ["iat"] = EpochTime.GetIntDate(now.AddMinutes(-1)),
            ["exp"] = EpochTime.GetIntDate(now.AddMinutes(30)),
        };
        if (withTokenId)
        {
            claims["jti"] = Guid.NewGuid().ToString();
        }

        return claims;
    }
}

/// <summary>
/// Key rotation at the provider, while the ledger host keeps running: a new key is accepted as soon as
/// a token names it (the host fetches the keys again on an unknown <c>kid</c>), the old one as long as
/// the provider still publishes it, and a dropped key is refused once the host has read the new key set.
/// </summary>
public sealed class ProviderKeyRotationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Read = "/api/meetings";
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync("oidc_rotation");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_rotated_key_is_accepted_without_a_restart_and_a_dropped_one_is_refused()
    {
        var first = TestIdentityProvider.NewKey("rotation-1");
        var second = TestIdentityProvider.NewKey("rotation-2");
        var third = TestIdentityProvider.NewKey("rotation-3");
        await using var provider = await TestIdentityProvider.StartAsync(ProviderClients.All, first);
        // No scheduled refresh during the test: only tokens naming an unknown key make the host read the keys again.
        await using var host = await ProviderBackedLedger.StartAsync(_database, provider,
            new Dictionary<string, string> { ["Ledger:Auth:ProviderKeysRefreshInterval"] = "01:00:00" });
        var signedByFirst = await provider.TokenAsync(ProviderClients.Viewer);
        (await host.GetAsync(Read, signedByFirst)).Status.ShouldBe(200);

        // The provider publishes a second key and signs with it; the first stays published.
        provider.RotateKeys(second, first);
        var signedBySecond = await provider.TokenAsync(ProviderClients.Viewer);
        Kid(signedBySecond).ShouldBe("rotation-2");
        var newKeyAccepted = await host.EventuallyAsync(Read, signedBySecond, 200, TimeSpan.FromSeconds(30));
        (await host.GetAsync(Read, signedByFirst)).Status.ShouldBe(200, "the first key is still published");

        // Next rotation: a third key signs, the first is dropped.
        provider.RotateKeys(third, second);
        var signedByThird = await provider.TokenAsync(ProviderClients.Viewer);
        var thirdAccepted = await host.EventuallyAsync(Read, signedByThird, 200, TimeSpan.FromSeconds(30));
        var dropped = await host.GetAsync(Read, signedByFirst);
        dropped.ShouldBeProblem(401).GetProperty("detail").GetString().ShouldBe("The token is signed with a key this ledger does not know.");
        (await host.GetAsync(Read, signedBySecond)).Status.ShouldBe(200);

        output.WriteLine($"new key accepted after {newKeyAccepted.TotalMilliseconds:0} ms, the next after {thirdAccepted.TotalMilliseconds:0} ms; " +
                         $"dropped key refused at once; JWKS read {provider.Hits("/.well-known/jwks")} times");
    }

    [Fact]
    public async Task A_dropped_key_is_refused_after_the_scheduled_refresh_even_without_a_new_key_in_use()
    {
        var first = TestIdentityProvider.NewKey("scheduled-1");
        var second = TestIdentityProvider.NewKey("scheduled-2");
        await using var provider = await TestIdentityProvider.StartAsync(ProviderClients.All, first);
        await using var host = await ProviderBackedLedger.StartAsync(_database, provider, new Dictionary<string, string>
        {
            ["Ledger:Auth:ProviderKeysRefreshInterval"] = "00:00:02",
            ["Ledger:Auth:ValidIssuers:0"] = "https://ledger-alias.example/",
        });
        var signedByFirst = await provider.TokenAsync(ProviderClients.Viewer);
        (await host.GetAsync(Read, signedByFirst)).Status.ShouldBe(200);
        (await host.GetAsync(Read, WithIssuer(first, "https://ledger-alias.example/"))).Status.ShouldBe(200, "an issuer listed in ValidIssuers is accepted");
        (await host.GetAsync(Read, WithIssuer(first, "https://other.example/"))).Status.ShouldBe(401);

        provider.RotateKeys(second);
        var refusedAfter = await host.EventuallyAsync(Read, signedByFirst, 401, TimeSpan.FromSeconds(30));
        (await host.GetAsync(Read, await provider.TokenAsync(ProviderClients.Viewer))).Status.ShouldBe(200);
        output.WriteLine($"dropped key refused {refusedAfter.TotalMilliseconds:0} ms after the provider stopped publishing it (refresh every 2 s)");
    }

    private static string Kid(string token) => new JsonWebToken(token).Kid;

    private static string WithIssuer(RsaSecurityKey key, string issuer)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer, ["aud"] = TestIdentityProvider.Audience, ["sub"] = "alias", ["role"] = LedgerRoles.Viewer,
            ["jti"] = Guid.NewGuid().ToString(), ["iat"] = EpochTime.GetIntDate(now), ["exp"] = EpochTime.GetIntDate(now.AddMinutes(5)),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims), new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
    }
}
