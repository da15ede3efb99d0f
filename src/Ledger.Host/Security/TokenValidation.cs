using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace Ledger.Host.Security;

/// <summary>A token the ledger's own rules refuse (no <c>jti</c>, a lifetime over the maximum); the message is shown to the caller.</summary>
public sealed class TokenRefusedException(string message) : SecurityTokenValidationException(message);

/// <summary>
/// What a bearer token must be to be accepted: one statement of the rules, for locally minted tokens
/// and for an identity provider's (docs/api.md, "Authentication and roles").
/// </summary>
public static class TokenValidation
{
    /// <summary>How far apart the ledger's clock and a token's issuer may be.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Issuer, audience and lifetime always checked, signatures always required, the algorithms
    /// pinned, and every token naming its key (<c>kid</c>). With a provider, its discovery document adds
    /// its issuer and its keys; without one, only the local keys and <see cref="AuthOptions.Issuer"/> count.
    /// </summary>
    public static TokenValidationParameters Parameters(AuthOptions auth, IClock clock)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
            ClockSkew = ClockSkew,

            // Token lifetimes are judged by the ledger's clock, the same one that mints them.
            LifetimeValidator = (notBefore, expires, token, _) => ValidateLifetime(notBefore, expires, token, auth.MaxTokenLifetime, clock),
            NameClaimType = LedgerClaims.Subject,
            RoleClaimType = LedgerClaims.Role,
        };

        if (auth.UsesProvider)
        {
            parameters.ValidIssuers = auth.ValidIssuers;
            parameters.ValidAlgorithms = auth.AcceptedProviderAlgorithms();
        }
        else
        {
            parameters.ValidIssuer = auth.Issuer;
            parameters.ValidAlgorithms = [AuthOptions.LocalAlgorithm];
            parameters.IssuerSigningKeys = LocalSigningKeys.From(auth).Keys;
        }

        return parameters;
    }

    /// <summary>The refusal of a validated token without a <c>jti</c> when <see cref="AuthOptions.RequireTokenId"/> is on; otherwise null.</summary>
    public static TokenRefusedException? MissingTokenId(SecurityToken token, AuthOptions auth) =>
        auth.RequireTokenId && token is JsonWebToken { Id: null or "" } ? new TokenRefusedException("The token has no token id (jti).") : null;

    /// <summary>
    /// The refusal of a token whose header names an algorithm outside <see cref="TokenValidationParameters.ValidAlgorithms"/>;
    /// null for any other token. The library refuses such a token as a signature failure; this says why.
    /// </summary>
    public static TokenRefusedException? UnacceptedAlgorithm(string? authorization, TokenValidationParameters parameters)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || parameters.ValidAlgorithms is not { } accepted)
        {
            return null;
        }

        var token = authorization[scheme.Length..].Trim();
        var handler = new JsonWebTokenHandler();
        return handler.CanReadToken(token) && handler.ReadJsonWebToken(token).Alg is var algorithm && !accepted.Contains(algorithm)
            ? new TokenRefusedException("The token is signed with an algorithm this ledger does not accept.")
            : null;
    }

    /// <summary>Why a token was refused, in words that never repeat what the token itself says.</summary>
    public static string Describe(Exception? failure) => failure switch
    {
        null => "This route needs a bearer token: send Authorization: Bearer <token>.",
        AggregateException { InnerExceptions: [var single] } => Describe(single),
        TokenRefusedException refused => refused.Message,
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenNoExpirationException => "The token has no expiry (exp).",
        SecurityTokenInvalidIssuerException => "The token's issuer is not one this ledger accepts.",
        SecurityTokenInvalidAudienceException => "The token is not meant for this ledger (audience).",
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm this ledger does not accept.",
        SecurityTokenSignatureKeyNotFoundException => "The token is signed with a key this ledger does not know.",
        SecurityTokenInvalidSignatureException => "The token's signature does not verify.",
        SecurityTokenMalformedException or ArgumentException => "The bearer token is not a well-formed JWT.",
        _ => "The bearer token was refused.",
    };

    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TimeSpan maximum, IClock clock)
    {
        // Some validation paths (a key not found, before the keys are fetched again) pass an absent
        // time as DateTime.MinValue rather than null.
        notBefore = notBefore == DateTime.MinValue ? null : notBefore;
        expires = expires == DateTime.MinValue ? null : expires;
        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        if (expires is not { } end)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }

        if (notBefore is { } start && start > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }

        if (end <= now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = end };
        }

        var issuedAt = token is JsonWebToken { IssuedAt: var iat } && iat != DateTime.MinValue ? iat : (DateTime?)null;
        if ((notBefore ?? issuedAt) is not { } from)
        {
            throw new TokenRefusedException("The token says neither when it was issued (iat) nor from when it is valid (nbf).");
        }

        return end - from <= maximum
            ? true
            : throw new TokenRefusedException($"The token is valid for longer than the {maximum:c} this ledger accepts.");
    }
}
