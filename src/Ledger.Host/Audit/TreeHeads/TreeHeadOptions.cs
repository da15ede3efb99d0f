using Ledger.Domain.Audit.TreeHeads;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>The <c>Ledger:TreeHeads</c> configuration section (docs/operations.md, "Tree-head keys").</summary>
public sealed class TreeHeadOptions
{
    public const string Section = "Ledger:TreeHeads";

    /// <summary>The ledger's name in every head it signs (the checkpoint's origin line) and its key's name in the signature lines.</summary>
    public string Origin { get; set; } = "unoic-ledger";

    /// <summary>How often the host signs a new head when the tree has grown; zero turns the schedule off (heads on demand only).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A PEM file holding the ECDSA P-256 private key that signs new heads.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The same key as PEM text, instead of <see cref="KeyFile"/>.</summary>
    public string? Key { get; set; }

    /// <summary>During a rotation: the key that signed the heads so far, which countersigns every head while it is configured.</summary>
    public string? PreviousKeyFile { get; set; }

    /// <summary>The previous key as PEM text, instead of <see cref="PreviousKeyFile"/>.</summary>
    public string? PreviousKey { get; set; }
}

/// <summary>
/// The keys the host signs tree heads with, read once from <see cref="TreeHeadOptions"/>: the current key (none: the
/// host signs nothing) and, during a rotation, the previous one, which countersigns so that whoever trusts it learns
/// the new key from a head both signed.
/// </summary>
public sealed class TreeHeadSigning : IDisposable
{
    private TreeHeadSigning(string origin, NoteSigningKey? current, NoteSigningKey? previous)
    {
        Origin = origin;
        Current = current;
        Previous = previous;
    }

    public string Origin { get; }

    public NoteSigningKey? Current { get; }

    public NoteSigningKey? Previous { get; }

    /// <summary>The keys that sign each new head: the current one first.</summary>
    public IReadOnlyList<NoteSigningKey> Signers => Current is null ? [] : Previous is null ? [Current] : [Current, Previous];

    /// <summary>The keys <paramref name="options"/> configures; <see cref="InvalidOperationException"/> naming every mistake when they are unusable.</summary>
    public static TreeHeadSigning From(TreeHeadOptions options)
    {
        var problems = new List<string>();
        if (!TreeHead.IsOrigin(options.Origin))
        {
            problems.Add($"{TreeHeadOptions.Section}:Origin must be a name without spaces or '+', at most 255 characters (e.g. unoic-ledger.example/commitments)");
        }

        if (options.Interval < TimeSpan.Zero)
        {
            problems.Add($"{TreeHeadOptions.Section}:Interval must be zero (no schedule) or more");
        }

        var current = Load(options.Key, options.KeyFile, "Key", problems);
        var previous = Load(options.PreviousKey, options.PreviousKeyFile, "PreviousKey", problems);
        if (previous is not null && current is null)
        {
            problems.Add($"{TreeHeadOptions.Section}:PreviousKey(File) is set without a current key: set {TreeHeadOptions.Section}:KeyFile to the new key");
        }

        if (previous is not null && current is not null && previous.PublicKey.Fingerprint == current.PublicKey.Fingerprint)
        {
            problems.Add($"{TreeHeadOptions.Section}:PreviousKey(File) is the same key as the current one");
        }

        if (problems.Count > 0)
        {
            current?.Dispose();
            previous?.Dispose();
            throw new InvalidOperationException(string.Join("; ", problems) + ".");
        }

        return new TreeHeadSigning(options.Origin, current, previous);
    }

    public void Dispose()
    {
        Current?.Dispose();
        Previous?.Dispose();
    }

    private static NoteSigningKey? Load(string? pem, string? file, string name, List<string> problems)
    {
        var setting = $"{TreeHeadOptions.Section}:{name}";
        if (!string.IsNullOrWhiteSpace(pem) && !string.IsNullOrWhiteSpace(file))
        {
            problems.Add($"{setting} and {setting}File are both set; set one");
            return null;
        }

        if (!string.IsNullOrWhiteSpace(file))
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                problems.Add($"{setting}File names {path}, which does not exist (generate a key with the tree-head-key verb)");
                return null;
            }

            pem = File.ReadAllText(path);
            setting += "File";
        }

        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        if (!NoteSigningKey.TryFromPem(pem, out var key, out var error))
        {
            problems.Add($"{setting}: {error}");
            return null;
        }

        return key;
    }
}
