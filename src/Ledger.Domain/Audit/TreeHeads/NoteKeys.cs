using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Domain.Audit.TreeHeads;

/// <summary>
/// An ECDSA P-256 public key that checks signed notes: the signature type <c>0x02</c> of c2sp.org/signed-note
/// (ECDSA over SHA-256 of the note's text, the signature DER-encoded as <c>openssl dgst -sha256 -sign</c> writes
/// it). Its <see cref="Fingerprint"/> is the SHA-256 of its DER SubjectPublicKeyInfo (what
/// <c>openssl pkey -pubin -outform DER | sha256sum</c> prints), and its key ID the first four bytes of that.
/// </summary>
public sealed class NotePublicKey
{
    /// <summary>The name of the signature algorithm, as the API states it.</summary>
    public const string Algorithm = "ecdsa-p256-sha256";

    private const string P256 = "1.2.840.10045.3.1.7";

    private readonly byte[] _spki;

    private NotePublicKey(byte[] spki)
    {
        _spki = spki;
        var hash = SHA256.HashData(spki);
        Fingerprint = Convert.ToHexStringLower(hash);
        KeyId = BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.</summary>
    public string Fingerprint { get; }

    /// <summary>The signed-note key ID: the fingerprint's first four bytes, big-endian.</summary>
    public uint KeyId { get; }

    public string KeyIdHex => KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key as a PEM <c>PUBLIC KEY</c> block (SubjectPublicKeyInfo).</summary>
    public string Pem => PemEncoding.WriteString("PUBLIC KEY", _spki) + "\n";

    /// <summary>A P-256 public key from its DER SubjectPublicKeyInfo; false for anything else.</summary>
    public static bool TryFromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki, out NotePublicKey key)
    {
        key = null!;
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length || !IsP256(ecdsa))
            {
                return false;
            }

            // Re-export, so the fingerprint is over the canonical encoding.
            key = new NotePublicKey(ecdsa.ExportSubjectPublicKeyInfo());
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every <c>PUBLIC KEY</c> block of a PEM text (a file may hold several, e.g. the ledger's keys before and after a
    /// rotation); false, with the reason, when there is none or one is not an ECDSA P-256 key.
    /// </summary>
    public static bool TryParsePem(string pem, out IReadOnlyList<NotePublicKey> keys, out string error)
    {
        var found = new List<NotePublicKey>();
        keys = found;
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var data = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            rest = rest[fields.Location.End..];
            if (label != "PUBLIC KEY")
            {
                error = $"it holds a '{label}' block; give the public key only (openssl pkey -in key.pem -pubout)";
                return false;
            }

            if (!TryFromSubjectPublicKeyInfo(data, out var key))
            {
                error = "a PUBLIC KEY block is not an ECDSA P-256 key";
                return false;
            }

            found.Add(key);
        }

        error = found.Count == 0 ? "it holds no PEM 'PUBLIC KEY' block" : string.Empty;
        return found.Count > 0;
    }

    /// <summary>Whether <paramref name="signature"/> (DER) is this key's signature of <paramref name="text"/> (its UTF-8 bytes). Never throws.</summary>
    public bool Verify(string text, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(_spki, out _);
            return ecdsa.VerifyData(Encoding.UTF8.GetBytes(text), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether this key made <paramref name="signature"/> by its ID (the name is the caller's to match).</summary>
    public bool Names(NoteSignature signature) => signature.KeyId == KeyId;

    internal static bool IsP256(ECDsa ecdsa) => ecdsa.ExportParameters(false).Curve.Oid?.Value == P256;
}

/// <summary>An ECDSA P-256 private key that signs notes (<see cref="NotePublicKey"/> checks them). Not thread-safe to dispose while signing.</summary>
public sealed class NoteSigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;

    private NoteSigningKey(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        if (!NotePublicKey.TryFromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo(), out var publicKey))
        {
            throw new CryptographicException("The key is not an ECDSA P-256 key.");
        }

        PublicKey = publicKey;
    }

    public NotePublicKey PublicKey { get; }

    /// <summary>A fresh random key.</summary>
    public static NoteSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// The private key of a PEM text: <c>PRIVATE KEY</c> (PKCS#8, as <c>openssl genpkey</c> writes it) or <c>EC PRIVATE KEY</c>
    /// (SEC 1); false, with the reason, for anything else (an encrypted key, another curve, a public key only).
    /// </summary>
    public static bool TryFromPem(string pem, out NoteSigningKey key, out string error)
    {
        key = null!;
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            if (!NotePublicKey.IsP256(ecdsa))
            {
                error = "it is not a key on the P-256 curve (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)";
                ecdsa.Dispose();
                return false;
            }

            _ = ecdsa.ExportParameters(includePrivateParameters: true);
            key = new NoteSigningKey(ecdsa);
            error = string.Empty;
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
            error = $"it is not an unencrypted ECDSA P-256 private key in PEM ({e.Message})";
            return false;
        }
    }

    /// <summary>The key as an unencrypted PKCS#8 PEM <c>PRIVATE KEY</c> block.</summary>
    public string ExportPem() => PemEncoding.WriteString("PRIVATE KEY", _ecdsa.ExportPkcs8PrivateKey()) + "\n";

    /// <summary>Signs <paramref name="text"/> (its UTF-8 bytes) under <paramref name="keyName"/>: a signature line for a note.</summary>
    public NoteSignature Sign(string keyName, string text)
    {
        if (!SignedNote.IsKeyName(keyName))
        {
            throw new ArgumentException($"'{keyName}' cannot name a key in a signed note: no spaces or '+'.", nameof(keyName));
        }

        var signature = _ecdsa.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new NoteSignature(keyName, PublicKey.KeyId, signature);
    }

    public void Dispose() => _ecdsa.Dispose();
}
