using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Hosting;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>A signed head as a verifier or witness holds it: the head, and the consistency proof from the head before it when it came with one.</summary>
public sealed record HeldHead(SignedTreeHead Head, ConsistencyProof? FromPrevious, long? Id = null);

/// <summary>
/// Reads what the command line is given: signed heads in any of the shapes the ledger publishes them (the note
/// itself, one head as JSON, or a page of heads), public keys in PEM, and private keys written with owner-only access.
/// Every reader says what is wrong with a file instead of throwing.
/// </summary>
public static class TreeHeadFiles
{
    /// <summary>
    /// The heads in <paramref name="path"/>: a signed note; a head as <c>GET /api/ledger/tree-heads/latest</c> answers
    /// it; or a page as <c>GET /api/ledger/tree-heads</c> answers it (or a JSON array of heads), in order.
    /// </summary>
    public static bool TryReadHeads(string path, out IReadOnlyList<HeldHead> heads, out string error)
    {
        heads = [];
        if (!File.Exists(path))
        {
            error = $"{path} does not exist";
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > 64 * 1024 * 1024)
        {
            error = $"{path} is larger than 64 MiB";
            return false;
        }

        var start = bytes.AsSpan().TrimStart(" \t\r\n"u8);
        if (start.Length > 0 && start[0] is (byte)'{' or (byte)'[')
        {
            return TryReadJson(bytes, out heads, out error);
        }

        if (!SignedTreeHead.TryParse(bytes, out var head, out error))
        {
            error = $"{path} is not a signed tree head: {error}";
            return false;
        }

        heads = [new HeldHead(head, null)];
        return true;
    }

    /// <summary>Every public key in a PEM file (one or more <c>PUBLIC KEY</c> blocks).</summary>
    public static bool TryReadPublicKeys(string path, out IReadOnlyList<NotePublicKey> keys, out string error)
    {
        keys = [];
        if (!File.Exists(path))
        {
            error = $"{path} does not exist";
            return false;
        }

        if (!NotePublicKey.TryParsePem(File.ReadAllText(path), out keys, out error))
        {
            error = $"{path}: {error}";
            return false;
        }

        return true;
    }

    /// <summary>Writes a new private key to <paramref name="path"/>, readable by its owner only; refuses to replace a file.</summary>
    public static void WritePrivateKey(string path, NoteSigningKey key)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(Encoding.ASCII.GetBytes(key.ExportPem()));
    }

    /// <summary>A head as the API gives it (<see cref="TreeHeadEntry"/>): its note, its id, and its proof from the head before.</summary>
    public static bool TryReadEntry(JsonElement entry, out HeldHead head, out string error)
    {
        head = null!;
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("note", out var note) || note.ValueKind != JsonValueKind.String)
        {
            error = "a head has no 'note' (the signed note)";
            return false;
        }

        if (!SignedTreeHead.TryParse(note.GetString()!, out var parsed, out error))
        {
            return false;
        }

        ConsistencyProof? proof = null;
        if (entry.TryGetProperty("consistency", out var consistency) && consistency.ValueKind == JsonValueKind.Object)
        {
            try
            {
                proof = consistency.Deserialize<ConsistencyProof>(ApiJson.Options);
            }
            catch (JsonException e)
            {
                error = $"its consistency proof is malformed ({e.Message})";
                return false;
            }
        }

        long? id = entry.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var value) ? value : null;
        head = new HeldHead(parsed, proof, id);
        return true;
    }

    private static bool TryReadJson(byte[] bytes, out IReadOnlyList<HeldHead> heads, out string error)
    {
        heads = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            error = $"it is not JSON ({e.Message})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root
                : root.TryGetProperty("items", out var page) && page.ValueKind == JsonValueKind.Array ? page
                : (JsonElement?)null;
            var found = new List<HeldHead>();
            foreach (var entry in items is { } list ? list.EnumerateArray() : Enumerable.Repeat(root, 1))
            {
                if (!TryReadEntry(entry, out var head, out error))
                {
                    error = $"head {found.Count + 1}: {error}";
                    return false;
                }

                found.Add(head);
            }

            heads = found;
            error = found.Count == 0 ? "it holds no head" : string.Empty;
            return found.Count > 0;
        }
    }
}
