using System.Net.Http.Headers;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>
/// One ledger for the verbs that read it: a database of its own with the shipped meetings' data imported by the
/// <c>import</c> verb (then a matrix, after a digest was saved), a tree-head key made by the <c>tree-head-key</c> verb, and a host serving it as the runtime role
/// with that key (for the proofs and signed heads the offline checks are given), with an auditor's token from the <c>token</c> verb.
/// </summary>
public sealed class VerbLedger : IAsyncLifetime, IDisposable
{
    private readonly ScratchFolder _files = new();

    public TestDatabase Database { get; private set; } = null!;

    public LedgerProcess Host { get; private set; } = null!;

    /// <summary>What <c>tree-head-key</c> printed: the public key of the host's tree-head signing key.</summary>
    public string PublicKeyPem { get; private set; } = string.Empty;

    public string AuditorToken { get; private set; } = string.Empty;

    /// <summary>How many events the import recorded.</summary>
    public long Events { get; private set; }

    /// <summary>The digest saved before the last import: the ledger has grown since.</summary>
    public string EarlyDigest => File("early.digest.json");

    public string File(string name) => _files.File(name);

    public string Write(string name, string text) => _files.Write(name, text);

    public HttpClient Auditor()
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuditorToken);
        return client;
    }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("verbs");
        await VerbSettings.SucceedsAsync(["import"], VerbSettings.Owner(Database));

        // A digest of the ledger before it grew by a matrix: what a consistency proof is checked against.
        await VerbSettings.SucceedsAsync(["digest", "--out", EarlyDigest], VerbSettings.Runtime(Database));
        await VerbSettings.SucceedsAsync(["import", Write("matrix.csv", VerbSettings.MatrixLines), "--meeting", "AST-2024"], VerbSettings.Owner(Database));
        Events = await VerbSettings.EventCountAsync(Database);

        var key = File("tree-head-key.pem");
        var made = await VerbSettings.SucceedsAsync(["tree-head-key", "--out", key], new Dictionary<string, string>());
        var begin = made.Output.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
        var end = made.Output.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal);
        PublicKeyPem = made.Output[begin..(end + "-----END PUBLIC KEY-----".Length)] + "\n";

        Host = await LedgerProcess.StartAsync("verbs", new Dictionary<string, string>(VerbSettings.Runtime(Database))
        {
            ["Ledger:TreeHeads:KeyFile"] = key,
        });
        AuditorToken = (await VerbSettings.SucceedsAsync(["token", "--role", "auditor"], VerbSettings.Runtime(Database))).LastLine;
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }

    public void Dispose() => _files.Dispose();
}
