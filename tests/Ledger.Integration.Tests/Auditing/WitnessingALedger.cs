using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Audit.TreeHeads;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.Options;
using NodaTime;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>
/// The witness verb against real host processes over loopback: heads signed on a schedule only when the tree grew,
/// checked and countersigned; a key rotation followed through the head both keys signed; and a second ledger under
/// the same key, showing the witness another history, reported as a fork with both signed heads kept as evidence.
/// </summary>
public sealed class WitnessingALedger(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TokenIssuer Tokens = new(Options.Create(new AuthOptions { SigningKey = LedgerHost.SigningKey }), SystemClock.Instance);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ledger-witness-");
    private TestDatabase? _ledger;
    private TestDatabase? _other;

    private string Auditor { get; } = Tokens.Issue("witness.tester", LedgerRoles.Auditor, null);

    private string Secretariat { get; } = Tokens.Issue("secretariat.tester", LedgerRoles.Secretariat, null);

    private string StateDir => Path.Combine(_folder.FullName, "witness-state");

    public async Task InitializeAsync()
    {
        _ledger = await TestDatabase.CreateAsync("witness");
        _other = await TestDatabase.CreateAsync("witness_fork");
    }

    public async Task DisposeAsync()
    {
        await _ledger!.DisposeAsync();
        await _other!.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task A_witness_follows_the_ledger_across_a_key_rotation_and_reports_another_history_as_a_fork()
    {
        var watch = Stopwatch.StartNew();
        var key1 = await NewKeyAsync("key1.pem");
        var key2 = await NewKeyAsync("key2.pem");

        // The schedule signs the seeded tree, then nothing until it grows.
        long size;
        await using (var host = await StartAsync("ledger-key1", _ledger!, key1.Path))
        {
            size = (await WaitForHeadAsync(host, h => h.TreeSize >= 52)).TreeSize;
            size.ShouldBe(52);
            await Task.Delay(TimeSpan.FromSeconds(3));
            (await HeadsAsync(host)).Count.ShouldBe(1, "the tree did not grow, so no second head");

            var first = await WitnessAsync(host);
            first.ExitCode.ShouldBe(0, first.Output);
            first.Output.ShouldContain("Pinned: the ledger's key " + key1.Key.KeyIdHex);
            CheckCosignature(first.LastLine, key1.Key, size);

            await ReviewAsync(host, "AST-2024-06");
            await ReviewAsync(host, "GVA-2022-1.1");
            size = (await WaitForHeadAsync(host, h => h.TreeSize == 54)).TreeSize;
            var second = await WitnessAsync(host);
            second.ExitCode.ShouldBe(0, second.Output);
            second.Output.ShouldContain("since the last one seen");
            CheckCosignature(second.LastLine, key1.Key, size);
        }

        // Rotation: the new key signs, the old one countersigns while it is configured, then the new one alone.
        await using (var host = await StartAsync("ledger-handover", _ledger!, key2.Path, previousKey: key1.Path))
        {
            var handover = await WaitForHeadAsync(host, h => h.KeyFingerprint == key2.Key.Fingerprint);
            handover.TreeSize.ShouldBe(54, "the handover head is of the same tree, signed at start");
            handover.Signatures.Select(s => s.KeyId).ShouldBe([key2.Key.KeyIdHex, key1.Key.KeyIdHex]);
            await ReviewAsync(host, "AST-2024-06", "delayed");
            await WaitForHeadAsync(host, h => h.TreeSize == 55);
        }

        await using (var host = await StartAsync("ledger-key2", _ledger!, key2.Path))
        {
            await ReviewAsync(host, "GVA-2022-1.1", "delayed");
            var last = await WaitForHeadAsync(host, h => h.TreeSize == 56);
            last.Signatures.ShouldHaveSingleItem().KeyId.ShouldBe(key2.Key.KeyIdHex);
            size = last.TreeSize;

            var third = await WitnessAsync(host);
            third.ExitCode.ShouldBe(0, third.Output);
            third.Output.ShouldContain("Pinned: the ledger's new key " + key2.Key.KeyIdHex);
            CheckCosignature(third.LastLine, key2.Key, size);

            var keys = await GetAsync<TreeHeadKeys>(host, "/api/ledger/tree-heads/keys");
            keys.Keys.Select(k => k.Fingerprint).ShouldBe([key1.Key.Fingerprint, key2.Key.Fingerprint]);
            keys.Keys[0].ValidUntil.ShouldBe(keys.Keys[1].ValidFrom);
            keys.Keys[1].Current.ShouldBeTrue();

            // The whole sequence checks out offline with both public keys, and not with the first alone.
            using var client = Client(host);
            var page = await client.GetStringAsync(new Uri("/api/ledger/tree-heads?limit=1000", UriKind.Relative));
            var heads = await WriteAsync("heads.json", page);
            var both = await WriteAsync("both-keys.pem", key1.Key.Pem + key2.Key.Pem);
            var verified = await LedgerVerb.RunAsync(["verify", "--tree-head", heads, "--public-key", both], new Dictionary<string, string>());
            verified.ExitCode.ShouldBe(0, verified.Output);
            verified.Output.ShouldContain("Consistent:");
            var oldKeyOnly = await LedgerVerb.RunAsync(["verify", "--tree-head", heads, "--public-key", key1.PublicPath], new Dictionary<string, string>());
            oldKeyOnly.ExitCode.ShouldNotBe(0);
            oldKeyOnly.Output.ShouldContain("none of the keys given");
        }

        // Another ledger under the same key: the same meetings' data, recorded at other instants, so other hashes.
        await using (var fork = await StartAsync("ledger-fork", _other!, key2.Path))
        {
            await WaitForHeadAsync(fork, h => h.TreeSize == 52);
            await ReviewAsync(fork, "AST-2024-06");
            await ReviewAsync(fork, "GVA-2022-1.1");
            await ReviewAsync(fork, "AST-2024-06", "delayed");
            await ReviewAsync(fork, "GVA-2022-1.1", "delayed");
            await WaitForHeadAsync(fork, h => h.TreeSize == size);

            var sameSize = await WitnessAsync(fork);
            sameSize.ExitCode.ShouldNotBe(0, sameSize.Output);
            sameSize.Output.ShouldContain("FORK: forked history: two heads of 56 events have different roots");
            var evidence = Directory.GetDirectories(Path.Combine(StateDir, "forks")).ShouldHaveSingleItem();
            var seen = ReadHead(Path.Combine(evidence, "seen.note"));
            var offered = ReadHead(Path.Combine(evidence, "offered.note"));
            seen.Head.TreeSize.ShouldBe(offered.Head.TreeSize);
            seen.Head.RootHash.ShouldNotBe(offered.Head.RootHash);
            TreeHeadVerification.CheckSignature(seen, [key2.Key]).Holds.ShouldBeTrue("the evidence is signed by the ledger's key");
            TreeHeadVerification.CheckSignature(offered, [key2.Key]).Holds.ShouldBeTrue("the evidence is signed by the ledger's key");

            await ReviewAsync(fork, "AST-2024-06");
            await WaitForHeadAsync(fork, h => h.TreeSize == size + 1);
            var notExtending = await WitnessAsync(fork);
            notExtending.ExitCode.ShouldNotBe(0, notExtending.Output);
            notExtending.Output.ShouldContain("is not proved to extend the head of 56 events");
            Directory.GetDirectories(Path.Combine(StateDir, "forks")).Length.ShouldBe(2);
            File.Exists(Path.Combine(Directory.GetDirectories(Path.Combine(StateDir, "forks")).Max()!, "proof.json")).ShouldBeTrue();
        }

        // The witness's own log: every key pinned, every head accepted, every cosignature and fork, appended in order.
        var log = (await File.ReadAllLinesAsync(Path.Combine(StateDir, WitnessState.LogFile)))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()).ToList();
        log[0].ShouldBe(WitnessLogEntry.Witness);
        log.Count(k => k == WitnessLogEntry.Pinned).ShouldBe(2);
        log.Count(k => k == WitnessLogEntry.Cosigned).ShouldBe(3);
        log.Count(k => k == WitnessLogEntry.Fork).ShouldBe(2);
        log[^1].ShouldBe(WitnessLogEntry.Fork);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{log.Count(k => k == WitnessLogEntry.Head)} heads accepted, 3 cosigned, 2 forks reported over 4 host processes in {watch.Elapsed.TotalSeconds:0.0} s"));
    }

    private async Task<(string Path, string PublicPath, NotePublicKey Key)> NewKeyAsync(string name)
    {
        var path = Path.Combine(_folder.FullName, name);
        var made = await LedgerVerb.RunAsync(["tree-head-key", "--out", path], new Dictionary<string, string>());
        made.ExitCode.ShouldBe(0, made.Output);
        NoteSigningKey.TryFromPem(await File.ReadAllTextAsync(path), out var key, out var error).ShouldBeTrue(error);
        using (key)
        {
            made.Output.ShouldContain(key.PublicKey.Fingerprint);
            var publicPath = await WriteAsync(name + ".pub", key.PublicKey.Pem);
            if (!OperatingSystem.IsWindows())
            {
                (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)).ShouldBe(UnixFileMode.None, "the private key is its owner's only");
            }

            return (path, publicPath, key.PublicKey);
        }
    }

    private static Task<LedgerProcess> StartAsync(string name, TestDatabase database, string key, string? previousKey = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Ledger"] = database.ConnectionString,
            ["Ledger:Auth:SigningKey"] = LedgerHost.SigningKey,
            ["Ledger:SeedOnStartup"] = "true",
            ["Ledger:TreeHeads:Origin"] = "unoic-ledger.test/witnessed",
            ["Ledger:TreeHeads:KeyFile"] = key,
            ["Ledger:TreeHeads:Interval"] = "00:00:01",
        };
        if (previousKey is not null)
        {
            settings["Ledger:TreeHeads:PreviousKeyFile"] = previousKey;
        }

        return LedgerProcess.StartAsync(name, settings);
    }

    private Task<LedgerVerb.Outcome> WitnessAsync(LedgerProcess host) =>
        LedgerVerb.RunAsync(["witness", "--url", host.Address.ToString(), "--state", StateDir, "--name", "witness.test"],
            new Dictionary<string, string> { [WitnessInput.TokenVariable] = Auditor });

    /// <summary>The cosigned note at <paramref name="path"/> carries the ledger's signature and the witness's, both valid.</summary>
    private void CheckCosignature(string path, NotePublicKey ledgerKey, long size)
    {
        var cosigned = ReadHead(path);
        cosigned.Head.TreeSize.ShouldBe(size);
        TreeHeadVerification.CheckSignature(cosigned, [ledgerKey]).Holds.ShouldBeTrue();
        NotePublicKey.TryParsePem(File.ReadAllText(Path.Combine(StateDir, WitnessState.PublicKeyFile)), out var witness, out _).ShouldBeTrue();
        var signature = cosigned.Note.Signatures.Single(s => s.KeyName == "witness.test");
        witness[0].Names(signature).ShouldBeTrue();
        witness[0].Verify(cosigned.Note.Text, signature.Signature).ShouldBeTrue("the witness's cosignature");
    }

    private static SignedTreeHead ReadHead(string path) =>
        SignedTreeHead.TryParse(File.ReadAllBytes(path), out var head, out var error) ? head : throw new InvalidDataException($"{path}: {error}");

    private async Task<TreeHeadEntry> WaitForHeadAsync(LedgerProcess host, Func<TreeHeadEntry, bool> done)
    {
        var watch = Stopwatch.StartNew();
        TreeHeadEntry? latest = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var client = Client(host);
            using var response = await client.GetAsync(new Uri("/api/ledger/tree-heads/latest", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                latest = JsonSerializer.Deserialize<TreeHeadEntry>(await response.Content.ReadAsStringAsync(), ApiJson.Options)!;
                if (done(latest))
                {
                    return latest;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no such head within 60 s; the newest is {latest?.Id} of {latest?.TreeSize} events\n{host.ReadLog()}");
    }

    private async Task<IReadOnlyList<TreeHeadEntry>> HeadsAsync(LedgerProcess host) =>
        (await GetAsync<TreeHeadPage>(host, "/api/ledger/tree-heads")).Items;

    private async Task<T> GetAsync<T>(LedgerProcess host, string url)
    {
        using var client = Client(host);
        return JsonSerializer.Deserialize<T>(await client.GetStringAsync(new Uri(url, UriKind.Relative)), ApiJson.Options)!;
    }

    private async Task ReviewAsync(LedgerProcess host, string code, string rating = "on-track")
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Secretariat);
        using var body = new StringContent($$"""{"meeting":"AST-2024","rating":"{{rating}}","decision":"continue"}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"/api/commitments/{code}/reviews", UriKind.Relative), body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private HttpClient Client(LedgerProcess host)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Auditor);
        return client;
    }

    private async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
