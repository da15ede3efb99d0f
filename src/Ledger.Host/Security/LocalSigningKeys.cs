using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Host.Security;

/// <summary>
/// The HMAC keys of locally minted tokens, read from <c>Ledger:Auth:SigningKey</c> and
/// <c>Ledger:Auth:SigningKeys</c>: every key is accepted, the current one mints. Listing a new key
/// beside the old one, then making it current, then dropping the old one rotates the key without a
/// moment when valid tokens are refused.
/// </summary>
public sealed partial class LocalSigningKeys
{
    /// <summary>The key id of <c>Ledger:Auth:SigningKey</c>.</summary>
    public const string SigningKeyId = "signing-key";

    private const int MinimumKeyBytes = 32;

    private LocalSigningKeys(IReadOnlyList<SymmetricSecurityKey> keys, SymmetricSecurityKey? current)
    {
        Keys = keys;
        Current = current;
    }

    /// <summary>Every key whose tokens are accepted, each with its <c>KeyId</c>.</summary>
    public IReadOnlyList<SymmetricSecurityKey> Keys { get; }

    /// <summary>The key new tokens are signed with; null when no key is configured.</summary>
    public SymmetricSecurityKey? Current { get; }

    /// <summary>The keys <paramref name="auth"/> configures; <see cref="InvalidOperationException"/> naming every mistake when they are unusable.</summary>
    public static LocalSigningKeys From(AuthOptions auth)
    {
        var problems = new List<string>();
        var keys = new List<SymmetricSecurityKey>();
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            Add(SigningKeyId, auth.SigningKey, $"{AuthOptions.Section}:SigningKey");
        }

        for (var i = 0; i < auth.SigningKeys.Count; i++)
        {
            var entry = auth.SigningKeys[i];
            var setting = $"{AuthOptions.Section}:SigningKeys:{i}";
            if (string.IsNullOrWhiteSpace(entry.Id) || !KeyIdShape().IsMatch(entry.Id))
            {
                problems.Add($"{setting}:Id must be 1 to 64 letters, digits, '.', '_' or '-'");
                continue;
            }

            Add(entry.Id, entry.Key, $"{setting}:Key");
        }

        SymmetricSecurityKey? current = null;
        if (!string.IsNullOrWhiteSpace(auth.CurrentKeyId))
        {
            current = keys.Find(k => k.KeyId == auth.CurrentKeyId);
            if (current is null)
            {
                problems.Add($"{AuthOptions.Section}:CurrentKeyId '{auth.CurrentKeyId}' names no configured key (configured: {Ids()})");
            }
        }
        else if (keys.Count == 1)
        {
            current = keys[0];
        }
        else if (keys.Count > 1)
        {
            problems.Add($"{AuthOptions.Section}:CurrentKeyId must say which of the keys {Ids()} signs new tokens");
        }

        return problems.Count == 0
            ? new LocalSigningKeys(keys, current)
            : throw new InvalidOperationException(string.Join("; ", problems) + ".");

        void Add(string id, string? base64, string setting)
        {
            if (keys.Exists(k => k.KeyId == id))
            {
                problems.Add($"{setting}: the key id '{id}' is used twice");
                return;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(base64?.Trim() ?? string.Empty);
            }
            catch (FormatException)
            {
                problems.Add($"{setting} is not valid base64");
                return;
            }

            if (bytes.Length < MinimumKeyBytes)
            {
                problems.Add($"{setting} must be at least {MinimumKeyBytes} bytes of base64; it has {bytes.Length}");
                return;
            }

            keys.Add(new SymmetricSecurityKey(bytes) { KeyId = id });
        }

        string Ids() => string.Join(", ", keys.Select(k => k.KeyId));
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex KeyIdShape();
}
