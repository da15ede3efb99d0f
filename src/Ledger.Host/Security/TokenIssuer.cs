using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace Ledger.Host.Security;

/// <summary>Mints local bearer tokens signed with <c>Ledger:Auth:SigningKey</c>.</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, IClock clock)
{
    public string Issue(string user, string role, string? organization)
    {
        var auth = options.Value;
        var key = auth.SigningKeyBytes() ?? throw new InvalidOperationException(
            "No signing key: set Ledger:Auth:SigningKey (environment variable Ledger__Auth__SigningKey) to base64 of 32+ random bytes. "
            + "./run.sh generates one in .ledger/signing-key.");
        if (!LedgerRoles.All.Contains(role))
        {
            throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", LedgerRoles.All)}.", nameof(role));
        }

        if (role == LedgerRoles.FocalPoint && string.IsNullOrWhiteSpace(organization))
        {
            throw new ArgumentException("A focal point acts for an organization: give --org CODE.", nameof(organization));
        }

        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        var claims = new Dictionary<string, object>
        {
            [LedgerClaims.Subject] = user,
            [LedgerClaims.Role] = role,
        };
        if (!string.IsNullOrWhiteSpace(organization))
        {
            claims[LedgerClaims.Organization] = organization;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + auth.TokenLifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}
