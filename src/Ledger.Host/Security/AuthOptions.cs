namespace Ledger.Host.Security;

/// <summary>The <c>Ledger:Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Ledger:Auth";

    /// <summary>Base64 key (at least 32 bytes) that signs and validates locally minted tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A real identity provider (OpenID Connect authority); when set, its tokens are accepted.</summary>
    public string? Authority { get; set; }

    public string Issuer { get; set; } = "unoic-ledger";

    public string Audience { get; set; } = "unoic-ledger";

    /// <summary>How long a locally minted token stays valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The signing key's bytes, or null when none (or an unusable one) is configured.</summary>
    public byte[]? SigningKeyBytes()
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromBase64String(SigningKey.Trim());
            return bytes.Length >= 32 ? bytes : throw new InvalidOperationException(
                $"{Section}:SigningKey must be at least 32 bytes of base64; it has {bytes.Length}.");
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{Section}:SigningKey is not valid base64.", e);
        }
    }
}
