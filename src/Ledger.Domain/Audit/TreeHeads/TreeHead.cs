using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Domain.Audit.TreeHeads;

/// <summary>
/// The ledger's Merkle tree head as it signs it: the text of a C2SP checkpoint (c2sp.org/tlog-checkpoint) with
/// three extension lines, every line ending in a newline:
/// <code>
/// &lt;origin&gt;                     the ledger's name, also the signing key's name
/// &lt;tree size&gt;                  decimal, no leading zeros
/// &lt;root hash&gt;                  base64 of the 32-byte RFC 6962 root
/// time &lt;instant&gt;               UTC, whole seconds: 2024-07-25T06:00:00Z
/// last-sequence &lt;sequence&gt;     the global sequence of the last event the tree covers (0 for none)
/// key &lt;fingerprint&gt;            SHA-256 (hex) of the signing key's SubjectPublicKeyInfo
/// </code>
/// The text is canonical: <see cref="TryParse"/> accepts exactly what <see cref="Text"/> writes, so a head has one
/// encoding and a changed byte is never the same head.
/// </summary>
public sealed record TreeHead(string Origin, long TreeSize, string RootHash, Instant Time, long LastSequence, string KeyFingerprint)
{
    private static readonly InstantPattern TimePattern = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'Z'");

    /// <summary>The instant a head states: whole seconds, as it is written.</summary>
    public static Instant Truncate(Instant instant) => Instant.FromUnixTimeSeconds(instant.ToUnixTimeSeconds());

    /// <summary>The note text that is signed.</summary>
    public string Text => string.Create(CultureInfo.InvariantCulture,
        $"{Origin}\n{TreeSize}\n{Convert.ToBase64String(Convert.FromHexString(RootHash))}\ntime {TimePattern.Format(Time)}\nlast-sequence {LastSequence}\nkey {KeyFingerprint}\n");

    /// <summary>The signing key's ID as the note's signature lines carry it: the fingerprint's first four bytes.</summary>
    public string KeyIdHex => KeyFingerprint[..8];

    /// <summary>Whether <paramref name="origin"/> can name a ledger: a key name (no spaces, no '+'), at most 255 characters.</summary>
    public static bool IsOrigin(string? origin) => SignedNote.IsKeyName(origin);

    /// <summary>Reads a note's text as a tree head; false, with the reason, unless it is exactly the canonical text of one.</summary>
    public static bool TryParse(string text, out TreeHead head, out string error)
    {
        head = null!;
        if (!text.EndsWith('\n'))
        {
            error = "the tree head's text does not end with a newline";
            return false;
        }

        var lines = text[..^1].Split('\n');
        if (lines.Length != 6)
        {
            error = $"the tree head's text has {lines.Length} lines; a tree head has 6 (origin, size, root, time, last-sequence, key)";
            return false;
        }

        if (!IsOrigin(lines[0]))
        {
            error = "the origin line is empty or holds a space or a '+'";
            return false;
        }

        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            error = $"the tree size '{lines[1]}' is not a decimal number";
            return false;
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            root = [];
        }

        if (root.Length != MerkleTree.HashLength)
        {
            error = "the root hash line is not the base64 of 32 bytes";
            return false;
        }

        if (!lines[3].StartsWith("time ", StringComparison.Ordinal) || !TimePattern.Parse(lines[3][5..]).TryGetValue(default, out var time))
        {
            error = "the fourth line is not 'time <yyyy-MM-ddTHH:mm:ssZ>'";
            return false;
        }

        if (!lines[4].StartsWith("last-sequence ", StringComparison.Ordinal)
            || !long.TryParse(lines[4]["last-sequence ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var lastSequence))
        {
            error = "the fifth line is not 'last-sequence <number>'";
            return false;
        }

        var fingerprint = lines[5].StartsWith("key ", StringComparison.Ordinal) ? lines[5][4..] : string.Empty;
        if (fingerprint.Length != 64 || !fingerprint.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            error = "the sixth line is not 'key <64 lowercase hex digits>'";
            return false;
        }

        head = new TreeHead(lines[0], size, Convert.ToHexStringLower(root), time, lastSequence, fingerprint);
        if (head.Text != text)
        {
            error = "the tree head's text is not in its canonical form (leading zeros, another base64 spelling)";
            head = null!;
            return false;
        }

        error = string.Empty;
        return true;
    }
}
