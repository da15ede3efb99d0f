using System.Globalization;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Hosting;
using NodaTime;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>One line of a witness's log (<c>log.jsonl</c>): what it did, when, with what.</summary>
public sealed record WitnessLogEntry(
    string Kind,
    Instant At,
    string? Name = null,
    string? Fingerprint = null,
    string? PublicKey = null,
    long? HeadId = null,
    string? Note = null,
    string? Detail = null)
{
    /// <summary>The witness's own identity: its name and its key's fingerprint (the first line).</summary>
    public const string Witness = "witness";

    /// <summary>A ledger key the witness trusts from now on, and why (first use, given, a rotation).</summary>
    public const string Pinned = "pinned";

    /// <summary>A head checked and accepted: signed by a pinned key and extending the one before.</summary>
    public const string Head = "head";

    /// <summary>A head countersigned: the file the cosigned note was written to.</summary>
    public const string Cosigned = "cosigned";

    /// <summary>A forked history: the offered head, the reason, and where the evidence is.</summary>
    public const string Fork = "fork";
}

/// <summary>
/// A witness's state folder: its own key (<c>witness-key.pem</c>, generated on first use, readable by its owner
/// only, with <c>witness-key.pub.pem</c> beside it), its append-only log (<c>log.jsonl</c>: every key pinned, every
/// head accepted, every cosignature and fork, one JSON object a line, never rewritten), the cosigned heads
/// (<c>cosigned/</c>) and the evidence of forks (<c>forks/</c>). Everything it knows is read back from the log.
/// </summary>
public sealed class WitnessState : IDisposable
{
    public const string KeyFile = "witness-key.pem";
    public const string PublicKeyFile = "witness-key.pub.pem";
    public const string LogFile = "log.jsonl";

    private readonly List<NotePublicKey> _pinned = [];

    private WitnessState(string directory, NoteSigningKey key, string name)
    {
        Directory = directory;
        Key = key;
        Name = name;
    }

    public string Directory { get; }

    public NoteSigningKey Key { get; }

    /// <summary>The witness's key name in its cosignatures.</summary>
    public string Name { get; }

    /// <summary>The ledger keys this witness trusts.</summary>
    public IReadOnlyList<NotePublicKey> Pinned => _pinned;

    /// <summary>The last head accepted, and the ledger's id for it.</summary>
    public HeldHead? Last { get; private set; }

    /// <summary>Whether <see cref="Last"/> has been cosigned.</summary>
    public bool LastCosigned { get; private set; }

    /// <summary>Opens (or creates, with a new key named <paramref name="name"/>) the state in <paramref name="directory"/>.</summary>
    public static WitnessState Open(string directory, string name, Instant now)
    {
        System.IO.Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(directory, KeyFile);
        var logPath = Path.Combine(directory, LogFile);
        NoteSigningKey key;
        if (File.Exists(keyPath))
        {
            if (!NoteSigningKey.TryFromPem(File.ReadAllText(keyPath), out key, out var error))
            {
                throw new InvalidDataException($"{keyPath}: {error}");
            }
        }
        else
        {
            if (File.Exists(logPath))
            {
                throw new InvalidDataException($"{logPath} exists but the witness's key {keyPath} does not: this state folder is incomplete");
            }

            key = NoteSigningKey.Generate();
            TreeHeadFiles.WritePrivateKey(keyPath, key);
            File.WriteAllText(Path.Combine(directory, PublicKeyFile), key.PublicKey.Pem);
        }

        var entries = File.Exists(logPath) ? ReadLog(logPath) : [];
        var identity = entries.FirstOrDefault(e => e.Kind == WitnessLogEntry.Witness);
        var state = new WitnessState(directory, key, identity?.Name ?? name);
        if (identity is null)
        {
            state.Append(new WitnessLogEntry(WitnessLogEntry.Witness, now, Name: name, Fingerprint: key.PublicKey.Fingerprint, PublicKey: key.PublicKey.Pem));
        }
        else if (identity.Fingerprint != key.PublicKey.Fingerprint)
        {
            throw new InvalidDataException($"{keyPath} is not the key this witness started with (its log names {identity.Fingerprint})");
        }

        foreach (var entry in entries)
        {
            state.Replay(entry);
        }

        return state;
    }

    /// <summary>Pins a ledger key (once), saying why.</summary>
    public void Pin(NotePublicKey key, string reason, Instant now)
    {
        if (_pinned.Exists(k => k.Fingerprint == key.Fingerprint))
        {
            return;
        }

        Append(new WitnessLogEntry(WitnessLogEntry.Pinned, now, Fingerprint: key.Fingerprint, PublicKey: key.Pem, Detail: reason));
        _pinned.Add(key);
    }

    public void Accept(HeldHead head, string explanation, Instant now)
    {
        Append(new WitnessLogEntry(WitnessLogEntry.Head, now, HeadId: head.Id, Note: head.Head.Format(), Detail: explanation));
        Last = head;
        LastCosigned = false;
    }

    /// <summary>Countersigns the last head accepted and writes the cosigned note; returns its path.</summary>
    public string CosignLast(Instant now)
    {
        var last = Last ?? throw new InvalidOperationException("No head has been accepted yet.");
        var cosigned = last.Head.Note.With(Key.Sign(Name, last.Head.Note.Text)).Format();
        var folder = Path.Combine(Directory, "cosigned");
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture,
            $"{last.Head.Head.Origin.Replace('/', '_')}-{last.Head.Head.TreeSize}-{last.Head.Head.RootHash[..8]}-{last.Head.Head.KeyIdHex}.note"));
        File.WriteAllText(path, cosigned);
        Append(new WitnessLogEntry(WitnessLogEntry.Cosigned, now, HeadId: last.Id, Note: cosigned, Detail: path));
        LastCosigned = true;
        return path;
    }

    /// <summary>Saves both heads of a fork (and the proof offered, if any) as evidence, logs the fork, and returns the evidence folder.</summary>
    public string RecordFork(HeldHead seen, HeldHead offered, ConsistencyProof? proof, string explanation, Instant now)
    {
        var folder = Path.Combine(Directory, "forks", now.ToString("uuuuMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        for (var n = 2; System.IO.Directory.Exists(folder); n++)
        {
            folder = Path.Combine(Directory, "forks", now.ToString("uuuuMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + n.ToString(CultureInfo.InvariantCulture));
        }

        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "seen.note"), seen.Head.Format());
        File.WriteAllText(Path.Combine(folder, "offered.note"), offered.Head.Format());
        if (proof is not null)
        {
            File.WriteAllText(Path.Combine(folder, "proof.json"), JsonSerializer.Serialize(proof, ApiJson.Options));
        }

        File.WriteAllText(Path.Combine(folder, "explanation.txt"),
            $"{explanation}\n\nseen.note: the last head this witness accepted (ledger head {seen.Id?.ToString(CultureInfo.InvariantCulture) ?? "?"}).\n" +
            $"offered.note: the head offered now (ledger head {offered.Id?.ToString(CultureInfo.InvariantCulture) ?? "?"}).\n" +
            "Both are signed by the ledger's key: check each with verify --tree-head FILE --public-key FILE.\n");
        Append(new WitnessLogEntry(WitnessLogEntry.Fork, now, HeadId: offered.Id, Note: offered.Head.Format(), Detail: $"{explanation} (evidence: {folder})"));
        return folder;
    }

    public void Dispose() => Key.Dispose();

    private void Replay(WitnessLogEntry entry)
    {
        switch (entry.Kind)
        {
            case WitnessLogEntry.Pinned when entry.PublicKey is { } pem && NotePublicKey.TryParsePem(pem, out var keys, out _):
                _pinned.AddRange(keys.Where(k => !_pinned.Exists(p => p.Fingerprint == k.Fingerprint)));
                break;
            case WitnessLogEntry.Head when entry.Note is { } note && SignedTreeHead.TryParse(note, out var head, out _):
                Last = new HeldHead(head, null, entry.HeadId);
                LastCosigned = false;
                break;
            case WitnessLogEntry.Cosigned when Last is not null && entry.HeadId == Last.Id:
                LastCosigned = true;
                break;
        }
    }

    private void Append(WitnessLogEntry entry) =>
        File.AppendAllText(Path.Combine(Directory, LogFile), JsonSerializer.Serialize(entry, LogJson) + "\n");

    private static readonly JsonSerializerOptions LogJson = new(ApiJson.Options) { WriteIndented = false, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static List<WitnessLogEntry> ReadLog(string path)
    {
        var entries = new List<WitnessLogEntry>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                entries.Add(JsonSerializer.Deserialize<WitnessLogEntry>(line, LogJson)
                            ?? throw new InvalidDataException($"{path}, line {number}: empty"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {number} is not an entry of a witness's log: {e.Message}", e);
            }
        }

        return entries;
    }
}
