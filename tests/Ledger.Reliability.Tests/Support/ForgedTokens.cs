using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Host.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace Ledger.Reliability.Tests.Support;

/// <summary>
/// Tokens as an attacker (or a careless client) would send them, each differing from an acceptable
/// token in exactly one way, built by hand rather than by the ledger's own issuer.
/// </summary>
public sealed class ForgedTokens(string issuer, string audience, SymmetricSecurityKey key, Instant clockNow)
{
    private readonly DateTime _now = clockNow.ToDateTimeUtc();

    /// <summary>What an acceptable token looks like: the ledger's issuer and audience, HS256, the given key, a jti, one hour from now.</summary>
    public string Valid(string role, string? organization = null, string? user = null) => Sign(Claims(role, organization, user), key, SecurityAlgorithms.HmacSha256);

    /// <summary>Every way a token with the right role can still be wrong, by name; the ledger must answer each with 401.</summary>
    public IReadOnlyList<(string Case, string Token)> Refusable(string role, string? organization = null)
    {
        var now = _now;
        var otherKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(key.KeySize / 8)) { KeyId = key.KeyId };
        var unknownKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(key.KeySize / 8)) { KeyId = "r7-unknown-key" };
        return
        [
            ("not a JWT", "not-a-jwt"),
            ("expired", Sign(Claims(role, organization, from: now.AddHours(-3), until: now.AddHours(-1)), key, SecurityAlgorithms.HmacSha256)),
            ("not yet valid", Sign(Claims(role, organization, from: now.AddHours(1), until: now.AddHours(2)), key, SecurityAlgorithms.HmacSha256)),
            ("wrong issuer", Sign(Claims(role, organization, otherIssuer: "https://intruder.example/"), key, SecurityAlgorithms.HmacSha256)),
            ("wrong audience", Sign(Claims(role, organization, otherAudience: "another-service"), key, SecurityAlgorithms.HmacSha256)),
            ("alg=none", Unsigned(Claims(role, organization))),
            ("wrong algorithm (HS512, the right key)", Sign(Claims(role, organization), key, SecurityAlgorithms.HmacSha512)),
            ("wrong key", Sign(Claims(role, organization), otherKey, SecurityAlgorithms.HmacSha256)),
            ("unknown key id", Sign(Claims(role, organization), unknownKey, SecurityAlgorithms.HmacSha256)),
            ("no jti", Sign(Claims(role, organization, withTokenId: false), key, SecurityAlgorithms.HmacSha256)),
            ("lifetime over the maximum", Sign(Claims(role, organization, from: now.AddMinutes(-1), until: now.AddHours(13)), key, SecurityAlgorithms.HmacSha256)),
        ];
    }

    private Dictionary<string, object> Claims(
        string role, string? organization, string? user = null, DateTime? from = null, DateTime? until = null,
        string? otherIssuer = null, string? otherAudience = null, bool withTokenId = true)
    {
        var start = from ?? _now.AddMinutes(-1);
        var claims = new Dictionary<string, object>
        {
            ["iss"] = otherIssuer ?? issuer,
            ["aud"] = otherAudience ?? audience,
            ["sub"] = user ?? $"{role}.r7.{Guid.NewGuid():N}",
            ["role"] = role,
            ["iat"] = EpochTime.GetIntDate(start),
            ["nbf"] = EpochTime.GetIntDate(start),
            ["exp"] = EpochTime.GetIntDate(until ?? start.AddHours(1)),
        };
        if (withTokenId)
        {
            claims[LedgerClaims.TokenId] = Guid.NewGuid().ToString("N");
        }

        if (organization is not null)
        {
            claims["org"] = organization;
        }

        return claims;
    }

    private static string Sign(Dictionary<string, object> claims, SecurityKey key, string algorithm) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims), new SigningCredentials(key, algorithm));

    /// <summary>The payload with the header <c>{"alg":"none"}</c> and an empty signature (RFC 7519 §6).</summary>
    private static string Unsigned(Dictionary<string, object> claims) =>
        Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""")) + "." +
        Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(claims))) + ".";
}
