using System.Globalization;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Projections.Audit;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>A signed tree head as the API gives it: the head's fields, the signed note itself, and the consistency proof from the head before it.</summary>
public sealed record TreeHeadEntry(
    long Id,
    string Origin,
    long TreeSize,
    string RootHash,
    long LastSequence,
    Instant Timestamp,
    string KeyId,
    string KeyFingerprint,
    IReadOnlyList<TreeHeadSignature> Signatures,
    string Note,
    ConsistencyProof? Consistency);

/// <summary>One signature line of a head's note: under which name, by which key.</summary>
public sealed record TreeHeadSignature(string KeyName, string KeyId);

public sealed record TreeHeadPage(IReadOnlyList<TreeHeadEntry> Items, long? Next);

/// <summary>A key that signed heads (or is configured to sign the next one), with the span of heads it signed.</summary>
public sealed record TreeHeadKey(
    string KeyId,
    string Fingerprint,
    string Algorithm,
    string PublicKey,
    bool Current,
    long? FirstHead,
    long? LastHead,
    long Heads,
    Instant? ValidFrom,
    Instant? ValidUntil);

public sealed record TreeHeadKeys(string Origin, IReadOnlyList<TreeHeadKey> Keys);

public enum TreeHeadIssueKind
{
    /// <summary>A new head was signed and stored.</summary>
    Issued,

    /// <summary>The tree has not grown since the last head, which the current key signed: that head stands.</summary>
    Unchanged,

    /// <summary>The ledger holds no event yet.</summary>
    NothingToSign,

    /// <summary>No signing key is configured.</summary>
    NoKey,

    /// <summary>The tree no longer extends the last head signed: the host refuses to sign anything inconsistent with it.</summary>
    Refused,
}

public sealed record TreeHeadIssue(TreeHeadIssueKind Kind, TreeHeadEntry? Head, string Detail);

/// <summary>
/// The heads the ledger signed, in <c>merkle_tree_heads</c> (<see cref="TreeHeadTables"/>): issuing one (the tree as
/// <see cref="LedgerTreeView"/> gives it, like the digest: stored nodes plus the events the daemon will append next,
/// so a head is a prefix of every later tree), and reading them back with their consistency proofs. Issuing is
/// serialized across every host on the database by an advisory lock, and checks first that the tree still extends the
/// last head signed: the ledger never signs two histories. Only INSERT and SELECT touch the tables.
/// </summary>
public sealed partial class TreeHeadLog(IDocumentStore store, TreeHeadSigning signing, IClock clock, ILogger<TreeHeadLog> logger)
{
    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>Signs the tree as it stands if it grew since the last head (or the key changed); otherwise keeps the last head.</summary>
    public async Task<TreeHeadIssue> IssueAsync(CancellationToken ct)
    {
        if (signing.Current is not { } current)
        {
            return new TreeHeadIssue(TreeHeadIssueKind.NoKey, null,
                $"This ledger signs no tree heads: no key is configured ({TreeHeadOptions.Section}:KeyFile).");
        }

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var gate = new NpgsqlCommand($"select pg_advisory_xact_lock(hashtext('{Schema}.{TreeHeadTables.HeadsTable}'))", connection, transaction))
        {
            await gate.ExecuteNonQueryAsync(ct);
        }

        var latest = (await ReadAsync(new NpgsqlCommand(null, connection, transaction), "order by head_id desc limit 1", [], ct)).FirstOrDefault();

        // The tree is read after the lock is held: it is at least what the last head saw.
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        if (tree.Size == 0)
        {
            return new TreeHeadIssue(TreeHeadIssueKind.NothingToSign, null, "The ledger holds no event yet: there is no tree head to sign.");
        }

        if (latest is not null)
        {
            var last = latest.Head.Head;
            if (tree.Size < last.TreeSize
                || Convert.ToHexStringLower(await tree.RootAsync(last.TreeSize, ct)) != last.RootHash)
            {
                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"The ledger's tree ({tree.Size} events) no longer extends the last head signed (head {latest.Id}: {last.TreeSize} events, root {last.RootHash}): what that head covered has changed. No head is signed until this is resolved; run verify to find the events.");
                NotExtending(logger, latest.Id, last.TreeSize, tree.Size);
                return new TreeHeadIssue(TreeHeadIssueKind.Refused, null, detail);
            }

            if (tree.Size == last.TreeSize && last.KeyFingerprint == current.PublicKey.Fingerprint)
            {
                return new TreeHeadIssue(TreeHeadIssueKind.Unchanged, await EntryAsync(tree, latest, ct),
                    "The tree has not grown since the last head: it stands.");
            }
        }

        var now = TreeHead.Truncate(clock.GetCurrentInstant());
        var head = new TreeHead(
            signing.Origin,
            tree.Size,
            Convert.ToHexStringLower(await tree.RootAsync(tree.Size, ct)),
            latest is not null && latest.Head.Head.Time > now ? latest.Head.Head.Time : now, // time never goes back
            tree.LastSequence,
            current.PublicKey.Fingerprint);
        var note = new SignedNote(head.Text, [.. signing.Signers.Select(k => k.Sign(signing.Origin, head.Text))]);
        var stored = new StoredHead((latest?.Id ?? 0) + 1, new SignedTreeHead(note, head));

        await using (var insert = new NpgsqlCommand(
                         $"""
                          insert into {Schema}.{TreeHeadTables.HeadsTable} (head_id, tree_size, root_hash, last_sequence, signed_at, key_fingerprint, note)
                          values (@id, @size, @root, @last, @at, @key, @note);
                          insert into {Schema}.{TreeHeadTables.KeysTable} (fingerprint, public_key, first_head)
                          select * from unnest(@fingerprints, @keys, @firsts) on conflict (fingerprint) do nothing;
                          """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", stored.Id);
            insert.Parameters.AddWithValue("size", head.TreeSize);
            insert.Parameters.AddWithValue("root", Convert.FromHexString(head.RootHash));
            insert.Parameters.AddWithValue("last", head.LastSequence);
            insert.Parameters.AddWithValue("at", head.Time.ToDateTimeUtc());
            insert.Parameters.AddWithValue("key", head.KeyFingerprint);
            insert.Parameters.AddWithValue("note", note.Format());
            insert.Parameters.AddWithValue("fingerprints", signing.Signers.Select(k => k.PublicKey.Fingerprint).ToArray());
            insert.Parameters.AddWithValue("keys", signing.Signers.Select(k => k.PublicKey.Pem).ToArray());
            insert.Parameters.AddWithValue("firsts", signing.Signers.Select(_ => stored.Id).ToArray());
            await insert.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        Signed(logger, stored.Id, head.TreeSize, head.RootHash, head.KeyIdHex);
        return new TreeHeadIssue(TreeHeadIssueKind.Issued, await EntryAsync(tree, stored, ct),
            string.Create(CultureInfo.InvariantCulture, $"Signed head {stored.Id}: {head.TreeSize} events."));
    }

    /// <summary>The heads after head <paramref name="after"/>, oldest first, each with its consistency proof from the head before it.</summary>
    public async Task<TreeHeadPage> PageAsync(long after, int limit, CancellationToken ct)
    {
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        var rows = await ReadAsync(tree,
            "where head_id >= (select coalesce(max(head_id), 0) from {heads} where head_id <= @after) and head_id > 0 order by head_id limit @limit",
            [("after", after), ("limit", limit + 1)], ct);
        var previous = rows.Count > 0 && rows[0].Id <= after ? rows[0] : null;
        var items = rows.Where(r => r.Id > after).Take(limit).ToList();
        var entries = await EntriesAsync(tree, previous, items, ct);
        return new TreeHeadPage(entries, items.Count == limit ? items[^1].Id : null);
    }

    /// <summary>The newest head with its consistency proof from the one before; null before the first head.</summary>
    public async Task<TreeHeadEntry?> LatestAsync(CancellationToken ct)
    {
        await using var tree = await LedgerTreeView.OpenAsync(store, ct);
        var rows = await ReadAsync(tree, "order by head_id desc limit 2", [], ct);
        return rows.Count == 0 ? null : (await EntriesAsync(tree, rows.Count > 1 ? rows[1] : null, [rows[0]], ct))[0];
    }

    /// <summary>Every key that signed a head, oldest first, and the configured current key even before it signs.</summary>
    public async Task<TreeHeadKeys> KeysAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
             select k.fingerprint, k.public_key, min(h.head_id), max(h.head_id), count(h.head_id), min(h.signed_at)
             from {Schema}.{TreeHeadTables.KeysTable} k
             left join {Schema}.{TreeHeadTables.HeadsTable} h on h.key_fingerprint = k.fingerprint
             group by k.fingerprint, k.public_key, k.first_head
             order by min(h.head_id) nulls last, k.first_head, k.fingerprint
             """, connection);
        var rows = new List<(string Fingerprint, string Pem, long? First, long? Last, long Count, Instant? From)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc))));
            }
        }

        var current = signing.Current?.PublicKey;
        if (current is not null && !rows.Exists(r => r.Fingerprint == current.Fingerprint))
        {
            rows.Add((current.Fingerprint, current.Pem, null, null, 0, null));
        }

        var keys = new List<TreeHeadKey>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var successor = rows.Skip(i + 1).FirstOrDefault(r => r.From is not null);
            keys.Add(new TreeHeadKey(
                row.Fingerprint[..8], row.Fingerprint, NotePublicKey.Algorithm, row.Pem,
                row.Fingerprint == current?.Fingerprint,
                row.First, row.Last, row.Count, row.From,
                row.From is null ? null : successor.From));
        }

        return new TreeHeadKeys(signing.Origin, keys);
    }

    private sealed record StoredHead(long Id, SignedTreeHead Head);

    /// <summary>Stored heads, read in the tree view's snapshot.</summary>
    private Task<List<StoredHead>> ReadAsync(LedgerTreeView tree, string clause, IReadOnlyList<(string Name, long Value)> parameters, CancellationToken ct) =>
        ReadAsync(tree.Command(string.Empty), clause, parameters, ct);

    private async Task<List<StoredHead>> ReadAsync(
        NpgsqlCommand statement, string clause, IReadOnlyList<(string Name, long Value)> parameters, CancellationToken ct)
    {
        var heads = $"{Schema}.{TreeHeadTables.HeadsTable}";
        await using var command = statement;
        command.CommandText = $"select head_id, note from {heads} {clause.Replace("{heads}", heads, StringComparison.Ordinal)}";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<StoredHead>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            rows.Add(SignedTreeHead.TryParse(reader.GetString(1), out var head, out var error)
                ? new StoredHead(id, head)
                : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The stored tree head {id} is not a signed tree head ({error}): the {heads} table was changed by hand.")));
        }

        return rows;
    }

    private async Task<TreeHeadEntry> EntryAsync(LedgerTreeView tree, StoredHead head, CancellationToken ct)
    {
        var rows = await ReadAsync(tree, "where head_id < @id order by head_id desc limit 1", [("id", head.Id)], ct);
        return (await EntriesAsync(tree, rows.FirstOrDefault(), [head], ct))[0];
    }

    /// <summary>The entries of <paramref name="heads"/> (consecutive, oldest first), each with its proof from the one before (<paramref name="previous"/> for the first).</summary>
    private static async Task<IReadOnlyList<TreeHeadEntry>> EntriesAsync(
        LedgerTreeView tree, StoredHead? previous, IReadOnlyList<StoredHead> heads, CancellationToken ct)
    {
        // A proof needs both sizes inside the tree as it stands; a head past it (the stored tree was set aside) gets none.
        var pairs = new List<(long From, long To)>();
        var before = previous;
        foreach (var head in heads)
        {
            if (before is { } b && b.Head.Head.TreeSize <= head.Head.Head.TreeSize && head.Head.Head.TreeSize <= tree.Size)
            {
                pairs.Add((b.Head.Head.TreeSize, head.Head.Head.TreeSize));
            }

            before = head;
        }

        var proofs = new Queue<ConsistencyProof>(await tree.ConsistencyProofsAsync(pairs, ct));
        var entries = new List<TreeHeadEntry>(heads.Count);
        before = previous;
        foreach (var stored in heads)
        {
            var head = stored.Head.Head;
            var proof = before is { } b && b.Head.Head.TreeSize <= head.TreeSize && head.TreeSize <= tree.Size ? proofs.Dequeue() : null;
            entries.Add(new TreeHeadEntry(
                stored.Id, head.Origin, head.TreeSize, head.RootHash, head.LastSequence, head.Time, head.KeyIdHex, head.KeyFingerprint,
                [.. stored.Head.Note.Signatures.Select(s => new TreeHeadSignature(s.KeyName, s.KeyIdHex))],
                stored.Head.Format(), proof));
            before = stored;
        }

        return entries;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Signed tree head {Id}: {TreeSize} events, root {RootHash}, key {KeyId}")]
    private static partial void Signed(ILogger logger, long id, long treeSize, string rootHash, string keyId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "The ledger's tree ({TreeSize} events) no longer extends the last signed tree head {Id} ({HeadSize} events): no head is signed until this is resolved. Run verify.")]
    private static partial void NotExtending(ILogger logger, long id, long headSize, long treeSize);
}
