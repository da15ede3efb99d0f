using System.Buffers.Binary;
using System.Text;

namespace Ledger.Domain.Audit.TreeHeads;

/// <summary>One signature line of a signed note: the key's name, its 4-byte key ID, and the signature of the note's text.</summary>
public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature)
{
    /// <summary>The key ID as 8 lowercase hex digits, as the API and the command line name keys.</summary>
    public string KeyIdHex => KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>— &lt;key name&gt; base64(key ID || signature)</c> and a newline.</summary>
    public string Line()
    {
        var bytes = new byte[4 + Signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, KeyId);
        Signature.CopyTo(bytes, 4);
        return $"{SignedNote.SignaturePrefix}{KeyName} {Convert.ToBase64String(bytes)}\n";
    }
}

/// <summary>
/// A signed note as C2SP specifies it (c2sp.org/signed-note, v1): a text ending in a newline, a blank line,
/// then one or more signature lines <c>— &lt;key name&gt; &lt;base64(4-byte key ID || signature)&gt;</c>. Only the
/// text is signed. Parsing is strict: a note that is not valid UTF-8, holds a control character other than the
/// newline (a carriage return, say), lacks the blank line or a signature, or has a malformed signature line is
/// not a note at all.
/// </summary>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>An em dash (U+2014) and a space: how every signature line starts.</summary>
    public const string SignaturePrefix = "\u2014 ";

    /// <summary>The most signatures a note may carry (the specification asks verifiers to accept at least 16).</summary>
    public const int MaxSignatures = 16;

    /// <summary>The longest note accepted, in bytes: a tree head is a few hundred.</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The note as it is published: the text, a blank line, and each signature line.</summary>
    public string Format() => Text + "\n" + string.Concat(Signatures.Select(s => s.Line()));

    /// <summary>The note with one more signature line (a witness's cosignature, a second ledger key's).</summary>
    public SignedNote With(NoteSignature signature) => this with { Signatures = [.. Signatures, signature] };

    /// <summary>Parses a note from its bytes; false, with the reason, for anything that is not a well-formed signed note.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out SignedNote note, out string error)
    {
        note = Empty;
        if (bytes.Length > MaxBytes)
        {
            error = $"it is {bytes.Length} bytes long; a signed note here is at most {MaxBytes}";
            return false;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            error = "it is not valid UTF-8";
            return false;
        }

        return TryParse(text, out note, out error);
    }

    /// <summary>Parses a note; false, with the reason, for anything that is not a well-formed signed note.</summary>
    public static bool TryParse(string note, out SignedNote parsed, out string error)
    {
        parsed = Empty;
        ArgumentNullException.ThrowIfNull(note);
        if (Encoding.UTF8.GetByteCount(note) > MaxBytes)
        {
            error = $"it is longer than {MaxBytes} bytes";
            return false;
        }

        for (var i = 0; i < note.Length; i++)
        {
            var c = note[i];
            if ((c < ' ' && c != '\n') || c == '\u007f')
            {
                error = $"it holds the control character U+{(int)c:X4} at offset {i} (only newlines may appear; a file saved with CRLF line ends is not a note)";
                return false;
            }

            if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < note.Length && char.IsLowSurrogate(note[++i])))
            {
                error = "it is not valid Unicode text";
                return false;
            }
        }

        if (!note.EndsWith('\n'))
        {
            error = "it does not end with a newline";
            return false;
        }

        // The text is separated from the signatures by the last blank line.
        var separator = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (separator < 0)
        {
            error = "it has no blank line between the text and the signatures";
            return false;
        }

        var text = note[..(separator + 1)];
        var lines = note[(separator + 2)..].Split('\n');
        var signatures = new List<NoteSignature>();
        foreach (var line in lines[..^1])
        {
            if (!TryParseSignature(line, out var signature, out error))
            {
                return false;
            }

            signatures.Add(signature);
        }

        if (signatures.Count == 0)
        {
            error = "it carries no signature line";
            return false;
        }

        if (signatures.Count > MaxSignatures)
        {
            error = $"it carries {signatures.Count} signatures; at most {MaxSignatures} are accepted";
            return false;
        }

        parsed = new SignedNote(text, signatures);
        error = string.Empty;
        return true;
    }

    /// <summary>Whether a key name is one a signature line can carry: non-empty, without spaces or '+'.</summary>
    public static bool IsKeyName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 255 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c));

    private static readonly SignedNote Empty = new(string.Empty, []);

    private static bool TryParseSignature(string line, out NoteSignature signature, out string error)
    {
        signature = new NoteSignature(string.Empty, 0, []);
        if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
        {
            error = $"the line '{Shorten(line)}' after the blank line is not a signature (it must start with an em dash and a space)";
            return false;
        }

        var rest = line[SignaturePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || rest.IndexOf(' ', space + 1) >= 0)
        {
            error = $"the signature line '{Shorten(line)}' is not '— <key name> <base64 signature>'";
            return false;
        }

        var name = rest[..space];
        if (!IsKeyName(name))
        {
            error = $"the key name '{Shorten(name)}' holds a space or a '+'";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(rest[(space + 1)..]);
        }
        catch (FormatException)
        {
            error = $"the signature of '{Shorten(name)}' is not base64";
            return false;
        }

        if (bytes.Length < 5 || Convert.ToBase64String(bytes) != rest[(space + 1)..])
        {
            error = $"the signature of '{Shorten(name)}' is not a 4-byte key ID followed by a signature in canonical base64";
            return false;
        }

        signature = new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..]);
        error = string.Empty;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
