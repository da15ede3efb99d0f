using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace Ledger.Host.Security;

/// <summary>
/// Mints local bearer tokens: HS256 with the current key of <see cref="LocalSigningKeys"/> (its id in
/// <c>kid</c>), a fresh <c>jti</c>, and a lifetime of at most <see cref="AuthOptions.MaxTokenLifetime"/>
/// from the ledger's clock. A host that accepts an identity provider's tokens refuses local ones, so
/// nothing is minted for it.
/// </summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, IClock clock)
{
    /// <summary>Throws (<see cref="ArgumentException"/>, <see cref="InvalidOperationException"/>) unless such a token can be minted.</summary>
    public void Check(string role, string? organization, TimeSpan? lifetime = null) => Prepare(role, organization, lifetime);

    public string Issue(string user, string role, string? organization, TimeSpan? lifetime = null)
    {
        var (key, validFor) = Prepare(role, organization, lifetime);
        var auth = options.Value;
        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        var claims = new Dictionary<string, object>
        {
            [LedgerClaims.Subject] = user,
            [LedgerClaims.Role] = role,
            [LedgerClaims.TokenId] = Guid.NewGuid().ToString("N"),
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
            Expires = now + validFor,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private (SymmetricSecurityKey Key, TimeSpan Lifetime) Prepare(string role, string? organization, TimeSpan? lifetime)
    {
        var auth = options.Value;
        if (auth.UsesProvider)
        {
            throw new InvalidOperationException(
                $"This ledger accepts only the tokens of the identity provider at {auth.Authority} ({AuthOptions.Section}:Authority), " +
                "so a locally minted token would be refused: the token verb cannot mint for it. Get a token from the provider.");
        }

        var key = LocalSigningKeys.From(auth).Current ?? throw new InvalidOperationException(
            "No signing key: set Ledger:Auth:SigningKey (environment variable Ledger__Auth__SigningKey) to base64 of 32+ random bytes, " +
            "or list keys under Ledger:Auth:SigningKeys. ./run.sh generates one in .ledger/signing-key.");
        if (!LedgerRoles.All.Contains(role))
        {
            throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", LedgerRoles.All)}.", nameof(role));
        }

        if (role == LedgerRoles.FocalPoint && string.IsNullOrWhiteSpace(organization))
        {
            throw new ArgumentException("A focal point acts for an organization: give --org CODE.", nameof(organization));
        }

        var validFor = lifetime ?? auth.TokenLifetime;
        if (validFor <= TimeSpan.Zero || validFor > auth.MaxTokenLifetime)
        {
            throw new ArgumentException(
                $"A token's lifetime must be positive and at most {auth.MaxTokenLifetime:c} ({AuthOptions.Section}:MaxTokenLifetime); {validFor:c} was asked.",
                nameof(lifetime));
        }

        return (key, validFor);
    }
}
