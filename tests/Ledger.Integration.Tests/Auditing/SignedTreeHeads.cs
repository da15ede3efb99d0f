using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Audit.TreeHeads;
using Ledger.Host.Hosting;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Audit;
using NodaTime;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>
/// The host signs its Merkle tree head on demand, keeps every head it signed, and publishes them oldest first with
/// the consistency proof from the head before; what it publishes checks out with the public key alone, with the
/// ledger's own verifier and with openssl.
/// </summary>
public sealed class SignedTreeHeads(LedgerFixture fixture, ITestOutputHelper output) : AuditTest(fixture)
{
    [Fact]
    public async Task A_head_signed_on_demand_is_the_digest_signed_and_checks_out_with_the_published_key()
    {
        var digest = await DigestAsync();

        var response = await SignAsync();
        response.Status.ShouldBe(201, response.Body);
        var head = Entry(response);

        head.Id.ShouldBe(1);
        head.TreeSize.ShouldBe(digest.TreeSize);
        head.RootHash.ShouldBe(digest.RootHash);
        head.LastSequence.ShouldBe(digest.LastSequence);
        head.Timestamp.ShouldBe(TreeHead.Truncate(Clock.GetCurrentInstant()));
        head.Origin.ShouldBe("unoic-ledger");
        head.KeyFingerprint.ShouldBe(LedgerHost.TreeHeadKey.PublicKey.Fingerprint);
        head.Consistency.ShouldBeNull();
        response.Header("Location").ShouldBe("/api/ledger/tree-heads?after=0&limit=1");

        var keys = await Host.GetJsonAsync<TreeHeadKeys>("/api/ledger/tree-heads/keys", Auditor);
        var key = keys.Keys.ShouldHaveSingleItem();
        key.Current.ShouldBeTrue();
        key.FirstHead.ShouldBe(1);
        key.ValidFrom.ShouldBe(head.Timestamp);
        key.ValidUntil.ShouldBeNull();
        NotePublicKey.TryParsePem(key.PublicKey, out var published, out _).ShouldBeTrue();

        SignedTreeHead.TryParse(head.Note, out var signed, out var error).ShouldBeTrue(error);
        TreeHeadVerification.CheckSignature(signed, published).Holds.ShouldBeTrue();
        signed.Head.TreeSize.ShouldBe(head.TreeSize);
        (await Host.GetJsonAsync<TreeHeadEntry>("/api/ledger/tree-heads/latest", Auditor)).Note.ShouldBe(head.Note);
    }

    [Fact]
    public async Task Signing_again_before_the_tree_grows_keeps_the_last_head()
    {
        var first = Entry(await SignAsync());
        Clock.Advance(Duration.FromMinutes(5));

        var again = await SignAsync();

        again.Status.ShouldBe(200);
        Entry(again).Note.ShouldBe(first.Note);
        (await ScalarAsync($"select count(*) from ledger.{TreeHeadTables.HeadsTable}")).ShouldBe(1);
    }

    [Fact]
    public async Task Heads_are_listed_oldest_first_each_with_a_proof_from_the_one_before_that_holds()
    {
        Entry(await SignAsync());
        foreach (var code in new[] { LetterOfIntent, "GVA-2022-1.1" })
        {
            await ReviewAsync(code);
            Clock.Advance(Duration.FromMinutes(1));
            (await SignAsync()).Status.ShouldBe(201);
        }

        var page = await Host.GetJsonAsync<TreeHeadPage>("/api/ledger/tree-heads", Auditor);

        page.Items.Select(h => h.TreeSize).ShouldBe([52, 53, 54]);
        page.Items.Select(h => h.Id).ShouldBe([1, 2, 3]);
        page.Next.ShouldBeNull();
        page.Items[1].Consistency!.FromSize.ShouldBe(52);
        page.Items[2].Consistency!.ToSize.ShouldBe(54);
        var sequence = TreeHeadVerification.CheckSequence(
            [.. page.Items.Select(h => (Parse(h.Note), h.Consistency))], [LedgerHost.TreeHeadKey.PublicKey]);
        sequence.Holds.ShouldBeTrue(sequence.Explanation);

        var second = await Host.GetJsonAsync<TreeHeadPage>("/api/ledger/tree-heads?after=1&limit=1", Auditor);
        second.Items.ShouldHaveSingleItem().Note.ShouldBe(page.Items[1].Note);
        second.Items[0].Consistency!.Proof.ShouldBe(page.Items[1].Consistency!.Proof);
        second.Next.ShouldBe(2);
        var latest = await Host.GetJsonAsync<TreeHeadEntry>("/api/ledger/tree-heads/latest", Auditor);
        latest.Note.ShouldBe(page.Items[2].Note);
        latest.Consistency!.Proof.ShouldBe(page.Items[2].Consistency!.Proof);
    }

    [Fact]
    public async Task Bad_queries_get_problem_details()
    {
        await Host.GetProblemAsync("/api/ledger/tree-heads?after=-1", 400, Auditor);
        await Host.GetProblemAsync("/api/ledger/tree-heads?limit=0", 400, Auditor);
        await Host.GetProblemAsync("/api/ledger/tree-heads?limit=1001", 400, Auditor);
        (await Host.GetProblemAsync("/api/ledger/tree-heads/latest", 404, Auditor)).GetProperty("detail").GetString()!.ShouldContain("POST /api/ledger/tree-heads");
        await Host.GetProblemAsync("/api/ledger/tree-heads", 403, Viewer);
    }

    [Fact]
    public async Task The_host_refuses_to_sign_a_tree_that_no_longer_extends_its_last_head()
    {
        Entry(await SignAsync());
        await TreeCaughtUpAsync();
        // What the first head covered is rewritten in the stored tree: the root at its size changes.
        await TamperAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = 5 and node_index = 0");
        await ReviewAsync(LetterOfIntent);

        var refused = (await SignAsync()).ShouldBeProblem(409);

        refused.GetProperty("type").GetString().ShouldEndWith("/tree-head-refused");
        refused.GetProperty("detail").GetString()!.ShouldContain("no longer extends the last head signed (head 1: 52 events");
        (await ScalarAsync($"select count(*) from ledger.{TreeHeadTables.HeadsTable}")).ShouldBe(1);
    }

    [Fact]
    public async Task The_documented_openssl_commands_verify_a_signed_head_and_refuse_it_with_a_byte_changed()
    {
        var head = Entry(await SignAsync());
        var keys = await Host.GetJsonAsync<TreeHeadKeys>("/api/ledger/tree-heads/keys", Auditor);
        var folder = Directory.CreateTempSubdirectory("ledger-openssl-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "ledger-key.pem"), keys.Keys.Single(k => k.Current).PublicKey);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "head.note"), head.Note);

            // docs/audit.md, "Checking a head with standard tools": split the note, then check the signature.
            var split = await ShellAsync(folder.FullName,
                """
                sed '/^$/,$d' head.note > head.txt
                grep "^— $(head -n 1 head.txt) " head.note | head -n 1 | cut -d' ' -f3 | base64 -d | tail -c +5 > head.sig
                openssl pkey -pubin -in ledger-key.pem -outform DER 2>/dev/null | sha256sum | cut -c1-64 || true
                """);
            split.ExitCode.ShouldBe(0, split.Output);
            var text = await File.ReadAllTextAsync(Path.Combine(folder.FullName, "head.txt"));
            var signature = await File.ReadAllBytesAsync(Path.Combine(folder.FullName, "head.sig"));
            text.ShouldBe(Parse(head.Note).Note.Text);
            LedgerHost.TreeHeadKey.PublicKey.Verify(text, signature).ShouldBeTrue("the files the commands wrote are the signed text and its DER signature");

            if (!OpenSslInstalled())
            {
                output.WriteLine("openssl is not installed: the split was checked, the openssl step was not run");
                return;
            }

            split.Output.Trim().ShouldBe(head.KeyFingerprint, "the key's fingerprint with openssl and sha256sum");
            var verified = await ShellAsync(folder.FullName, "openssl dgst -sha256 -verify ledger-key.pem -signature head.sig head.txt");
            verified.ExitCode.ShouldBe(0, verified.Output);
            verified.Output.ShouldContain("Verified OK");

            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "head.txt"), text.Replace("\n52\n", "\n53\n", StringComparison.Ordinal));
            var forged = await ShellAsync(folder.FullName, "openssl dgst -sha256 -verify ledger-key.pem -signature head.sig head.txt");
            forged.ExitCode.ShouldNotBe(0);
            forged.Output.ShouldContain("Verification failure");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_verify_verb_checks_heads_offline_and_refuses_forged_reordered_truncated_and_wrongly_keyed_ones()
    {
        Entry(await SignAsync());
        await ReviewAsync(LetterOfIntent);
        Clock.Advance(Duration.FromMinutes(1));
        Entry(await SignAsync());
        await ReviewAsync("GVA-2022-1.1");
        Clock.Advance(Duration.FromMinutes(1));
        var latest = Entry(await SignAsync());
        var page = await Host.Scenario(s =>
        {
            s.Get.Url("/api/ledger/tree-heads");
            s.WithRequestHeader("Authorization", $"Bearer {Auditor}");
        });
        var pageJson = await page.ReadAsTextAsync();
        var folder = Directory.CreateTempSubdirectory("ledger-verify-");
        try
        {
            string File(string name, string content)
            {
                var path = Path.Combine(folder.FullName, name);
                System.IO.File.WriteAllText(path, content);
                return path;
            }

            var key = File("ledger-key.pem", LedgerHost.TreeHeadKey.PublicKey.Pem);
            using var stranger = NoteSigningKey.Generate();
            var wrongKey = File("other-key.pem", stranger.PublicKey.Pem);
            var note = File("head.note", latest.Note);
            var heads = File("heads.json", pageJson);

            (await VerifyVerbAsync("--tree-head", note, "--public-key", key)).ExitCode.ShouldBe(0);
            var sequence = await VerifyVerbAsync("--tree-head", heads, "--public-key", key);
            sequence.ExitCode.ShouldBe(0, sequence.Output);
            sequence.Output.ShouldContain("Consistent:");

            // An earlier head and the proof from it (the latest head's own): the head extends it.
            using var document = JsonDocument.Parse(pageJson);
            var items = document.RootElement.GetProperty("items");
            var previous = File("previous.note", items[1].GetProperty("note").GetString()!);
            var proof = File("proof.json", JsonSerializer.Serialize(latest.Consistency, ApiJson.Options));
            (await VerifyVerbAsync("--tree-head", note, "--public-key", key, "--previous", previous, "--proof", proof)).ExitCode.ShouldBe(0);
            var notExtending = await VerifyVerbAsync("--tree-head", previous, "--public-key", key, "--previous", note, "--proof", proof);
            notExtending.ExitCode.ShouldNotBe(0);
            notExtending.Output.ShouldContain("smaller");

            var forged = latest.Note.Replace("\n54\n", "\n55\n", StringComparison.Ordinal);
            forged.ShouldNotBe(latest.Note);
            (await VerifyVerbAsync("--tree-head", File("forged.note", forged), "--public-key", key)).Output.ShouldContain("does not verify");
            (await VerifyVerbAsync("--tree-head", note, "--public-key", wrongKey)).Output.ShouldContain("none of the keys given");
            (await VerifyVerbAsync("--tree-head", File("truncated.note", latest.Note[..^20]), "--public-key", key)).ExitCode.ShouldNotBe(0);
            (await VerifyVerbAsync("--tree-head", File("crlf.note", latest.Note.Replace("\n", "\r\n", StringComparison.Ordinal)), "--public-key", key))
                .Output.ShouldContain("CRLF");

            var reordered = $"[{items[0].GetRawText()},{items[2].GetRawText()},{items[1].GetRawText()}]";
            var outOfOrder = await VerifyVerbAsync("--tree-head", File("reordered.json", reordered), "--public-key", key);
            outOfOrder.ExitCode.ShouldNotBe(0);
            outOfOrder.Output.ShouldContain("head 2 of 3");
            var cut = await VerifyVerbAsync("--tree-head", File("cut.json", $"[{items[0].GetRawText()},{items[2].GetRawText()}]"), "--public-key", key);
            cut.ExitCode.ShouldNotBe(0);
            cut.Output.ShouldContain("a head is missing");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private Task<WriteResponse> SignAsync() => Host.PostAsync("/api/ledger/tree-heads", string.Empty, Auditor);

    private static TreeHeadEntry Entry(WriteResponse response)
    {
        response.Status.ShouldBeOneOf([200, 201], response.Body);
        return JsonSerializer.Deserialize<TreeHeadEntry>(response.Body, ApiJson.Options)!;
    }

    private static SignedTreeHead Parse(string note) =>
        SignedTreeHead.TryParse(note, out var head, out var error) ? head : throw new InvalidOperationException(error);

    private static Task<LedgerVerb.Outcome> VerifyVerbAsync(params string[] arguments) =>
        LedgerVerb.RunAsync(["verify", .. arguments], new Dictionary<string, string>());

    private static bool OpenSslInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => System.IO.File.Exists(Path.Combine(dir, "openssl")));

    private static async Task<(int ExitCode, string Output)> ShellAsync(string folder, string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output + await error);
    }
}

/// <summary>An empty ledger has no tree head to sign.</summary>
public sealed class SignedTreeHeadsOfAnEmptyLedger(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task Signing_an_empty_ledger_is_refused_with_a_problem()
    {
        var refused = (await Host.PostAsync("/api/ledger/tree-heads", string.Empty, Host.TokenFor(Ledger.Host.Security.LedgerRoles.Auditor))).ShouldBeProblem(409);

        refused.GetProperty("type").GetString().ShouldEndWith("/nothing-to-sign");
        refused.GetProperty("detail").GetString()!.ShouldContain("no event yet");
    }
}
