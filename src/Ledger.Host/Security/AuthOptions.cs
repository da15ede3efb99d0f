namespace Ledger.Host.Security;

/// <summary>The <c>Ledger:Auth</c> configuration section (docs/operations.md, "Configuration" and "Tokens").</summary>
public sealed class AuthOptions
{
    public const string Section = "Ledger:Auth";

    /// <summary>
    /// A single base64 key (at least 32 bytes) for locally minted tokens; its key id is
    /// <see cref="LocalSigningKeys.SigningKeyId"/>. It may be listed beside <see cref="SigningKeys"/>
    /// while a rotation moves away from it.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Keys for locally minted tokens, each with an id (<c>kid</c>): every listed key is accepted.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>The id of the key that mints new tokens; may be left out when only one key is configured.</summary>
    public string? CurrentKeyId { get; set; }

    /// <summary>
    /// A real identity provider (OpenID Connect authority). When set, only its tokens are accepted: the
    /// local keys are off, and the issuer must be the one its discovery document states (or one of
    /// <see cref="ValidIssuers"/>).
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// With <see cref="Authority"/>: the client id the web pages are registered under at the provider, a
    /// public client (no secret) using the authorization code flow with PKCE and the redirect address
    /// <c>/signed-in</c> of this host. Unset, the pages offer no sign-in through the provider (a pasted token still works).
    /// </summary>
    public string? WebClientId { get; set; }

    /// <summary>The scopes the web pages ask the provider for; they must get an access token for <see cref="Audience"/>.</summary>
    public string WebScope { get; set; } = "openid";

    /// <summary>Further issuers accepted from the provider, beside the one its discovery document states.</summary>
    public List<string> ValidIssuers { get; set; } = [];

    /// <summary>The signature algorithms accepted on the provider's tokens; asymmetric only. Empty: <see cref="DefaultProviderAlgorithms"/>.</summary>
    public List<string> ProviderAlgorithms { get; set; } = [];

    /// <summary>Allows an <c>http://</c> <see cref="Authority"/>, and only on a loopback address (a provider on the same machine, tests).</summary>
    public bool AllowHttpLoopbackAuthority { get; set; }

    /// <summary>How often the provider's discovery document and keys are fetched again; a key the provider dropped is refused from then on.</summary>
    public TimeSpan ProviderKeysRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most one fetch of the provider's keys per this long when tokens name a key not yet known (a new key after a rotation).</summary>
    public TimeSpan ProviderKeysMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string Issuer { get; set; } = "unoic-ledger";

    public string Audience { get; set; } = "unoic-ledger";

    /// <summary>How long a locally minted token stays valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The longest lifetime a token may have (expiry minus not-before or issued-at); longer ones are refused, and never minted.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Tokens must carry a <c>jti</c> (token id). Minted tokens always do.</summary>
    public bool RequireTokenId { get; set; } = true;

    /// <summary>The only algorithm of locally minted tokens.</summary>
    public const string LocalAlgorithm = "HS256";

    public static IReadOnlyList<string> DefaultProviderAlgorithms { get; } = ["RS256", "ES256", "PS256"];

    /// <summary>The asymmetric algorithms a provider's list may name: never <c>none</c>, never HMAC.</summary>
    public static IReadOnlyList<string> AsymmetricAlgorithms { get; } =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>Whether tokens come from an identity provider rather than the local keys.</summary>
    public bool UsesProvider => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Whether the web pages sign people in through the provider.</summary>
    public bool OffersWebSignIn => UsesProvider && !string.IsNullOrWhiteSpace(WebClientId);

    public IReadOnlyList<string> AcceptedProviderAlgorithms() =>
        ProviderAlgorithms.Count == 0 ? DefaultProviderAlgorithms : ProviderAlgorithms;
}

/// <summary>One entry of <c>Ledger:Auth:SigningKeys</c>.</summary>
public sealed class SigningKeyOptions
{
    /// <summary>The key id written into the tokens' <c>kid</c> header, e.g. <c>2025-01</c>.</summary>
    public string? Id { get; set; }

    /// <summary>Base64 of at least 32 random bytes.</summary>
    public string? Key { get; set; }
}
