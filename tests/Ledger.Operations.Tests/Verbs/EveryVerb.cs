using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>
/// Each verb of the host run as a process against a real PostgreSQL, as an operator runs it: its exit code, what it
/// printed, and what it did. With the output redirected (as here), every verb prints plain lines: no ANSI escapes, no
/// progress bars redrawn in place, nothing wrapped at 80 columns.
/// </summary>
public sealed partial class EveryVerb(VerbLedger ledger, ITestOutputHelper output) : IClassFixture<VerbLedger>
{
    [Fact]
    public async Task export_as_json_lines_round_trips_through_the_offline_verify_which_names_an_altered_line()
    {
        var path = ledger.File("ledger.jsonl");
        var run = await VerbSettings.SucceedsAsync(["export", "--format", "jsonl", "--out", path], VerbSettings.Runtime(ledger.Database));
        run.Output.ShouldContain($"Exported {ledger.Events:N0} events to {path}.");
        var lines = File.ReadAllLines(path);
        lines.Length.ShouldBe((int)ledger.Events);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64()).ShouldBeInOrder();

        // Offline: no database at all.
        var intact = await VerbSettings.SucceedsAsync(["verify", "--export", path], new Dictionary<string, string>());
        intact.Output.ShouldContain($"Checked {ledger.Events:N0} events");
        intact.Output.ShouldContain("Intact: every event matches its hash chain.");

        var altered = lines.ToArray();
        altered[4] = altered[4].Replace("\"data\":{", "\"data\":{\"inserted\":1,", StringComparison.Ordinal);
        altered[4].ShouldNotBe(lines[4]);
        var sequence = JsonDocument.Parse(lines[4]).RootElement.GetProperty("sequence").GetInt64();
        var broken = await VerbSettings.FailsAsync(["verify", "--export", ledger.Write("altered.jsonl", string.Join('\n', altered) + "\n")], new Dictionary<string, string>());
        broken.Output.ShouldContain($"at sequence {sequence}");
        broken.Output.ShouldNotContain("Intact");
    }

    [Fact]
    public async Task export_as_csv_holds_the_same_events_as_the_json_lines_export()
    {
        var jsonl = ledger.File("same.jsonl");
        var csv = ledger.File("same.csv");
        await VerbSettings.SucceedsAsync(["export", "--format", "jsonl", "--out", jsonl], VerbSettings.Runtime(ledger.Database));
        var run = await VerbSettings.SucceedsAsync(["export", "--format", "csv", "--out", csv], VerbSettings.Runtime(ledger.Database));
        run.Output.ShouldContain($"Exported {ledger.Events:N0} events to {csv}.");

        var records = ReadCsv(File.ReadAllText(csv));
        records[0].ShouldBe(["sequence", "stream", "version", "type", "timestamp", "user", "correlationId", "causationId", "callerReference", "idempotencyKey", "hash", "data"]);
        var rows = records.Skip(1).ToList();
        var events = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        rows.Count.ShouldBe(events.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var e = events[i];
            rows[i][0].ShouldBe(e.GetProperty("sequence").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
            rows[i][1].ShouldBe(e.GetProperty("stream").GetString());
            rows[i][3].ShouldBe(e.GetProperty("type").GetString());
            rows[i][10].ShouldBe(e.GetProperty("hash").GetString());
            rows[i][11].ShouldBe(e.GetProperty("data").GetRawText());
        }

        (await VerbSettings.FailsAsync(["export", "--format", "xml", "--out", ledger.File("x.xml")], VerbSettings.Runtime(ledger.Database)))
            .Output.ShouldContain("--format must be jsonl or csv");
    }

    [Fact]
    public async Task digest_prints_and_saves_the_ledgers_digest_and_verify_checks_the_database_against_it()
    {
        var path = ledger.File("digest.json");
        var run = await VerbSettings.SucceedsAsync(["digest", "--out", path], VerbSettings.Runtime(ledger.Database));
        run.Output.ShouldContain($"Digest written to {path}");
        var printed = JsonDocument.Parse(run.LastLine).RootElement;
        var saved = VerbSettings.ReadJson(path);
        saved.GetProperty("treeSize").GetInt64().ShouldBe(ledger.Events);
        saved.GetProperty("rootHash").GetString().ShouldBe(printed.GetProperty("rootHash").GetString());
        saved.GetProperty("rootHash").GetString()!.Length.ShouldBe(64);
        saved.GetProperty("lastSequence").GetInt64().ShouldBe(await VerbSettings.ScalarAsync(ledger.Database.OwnerConnectionString, "select max(seq_id) from ledger.mt_events"));

        var online = await VerbSettings.SucceedsAsync(["verify"], VerbSettings.Runtime(ledger.Database));
        online.Output.ShouldContain($"Checked {ledger.Events:N0} events");
        online.Output.ShouldContain("Intact: every event matches its hash chain.");

        var against = await VerbSettings.SucceedsAsync(["verify", "--digest", path], VerbSettings.Runtime(ledger.Database));
        against.Output.ShouldContain("the ledger still contains exactly what the saved digest covered");

        // A digest of another ledger's tree (a root that is not this one's) is a mismatch.
        var forged = File.ReadAllText(path).Replace(saved.GetProperty("rootHash").GetString()!, new string('0', 64), StringComparison.Ordinal);
        var mismatch = await VerbSettings.FailsAsync(["verify", "--digest", ledger.Write("forged.json", forged)], VerbSettings.Runtime(ledger.Database));
        mismatch.Output.ShouldContain("DigestMismatch");
    }

    [Fact]
    public async Task verify_checks_inclusion_and_consistency_proofs_offline_against_a_saved_digest()
    {
        using var auditor = ledger.Auditor();
        var digest = ledger.Write("proof-digest.json", await auditor.GetStringAsync(new Uri("/api/ledger/digest", UriKind.Relative)));
        var size = VerbSettings.ReadJson(digest).GetProperty("treeSize").GetInt64();
        var sequence = await VerbSettings.ScalarAsync(ledger.Database.OwnerConnectionString, "select seq_id from ledger.mt_events order by seq_id offset 3 limit 1");
        var inclusion = await auditor.GetStringAsync(new Uri($"/api/ledger/proofs/inclusion?sequence={sequence}&treeSize={size}", UriKind.Relative));
        var early = VerbSettings.ReadJson(ledger.EarlyDigest).GetProperty("treeSize").GetInt64();
        early.ShouldBeLessThan(size);
        var consistency = await auditor.GetStringAsync(new Uri($"/api/ledger/proofs/consistency?from={early}&to={size}", UriKind.Relative));
        var offline = new Dictionary<string, string>();

        (await VerbSettings.SucceedsAsync(["verify", "--digest", digest, "--proof", ledger.Write("inclusion.json", inclusion)], offline))
            .Output.ShouldContain("Proved:");
        // The ledger as an earlier digest saw it is the start of the ledger now; the current digest is no start of the earlier one.
        (await VerbSettings.SucceedsAsync(["verify", "--digest", ledger.EarlyDigest, "--proof", ledger.Write("consistency.json", consistency)], offline))
            .Output.ShouldContain("Proved:");
        (await VerbSettings.FailsAsync(["verify", "--digest", digest, "--proof", ledger.File("consistency.json")], offline))
            .Output.ShouldContain("Not proved:");

        var leaf = JsonDocument.Parse(inclusion).RootElement.GetProperty("leafHash").GetString()!;
        var forged = inclusion.Replace(leaf, new string('a', 64), StringComparison.Ordinal);
        (await VerbSettings.FailsAsync(["verify", "--digest", digest, "--proof", ledger.Write("forged-inclusion.json", forged)], offline))
            .Output.ShouldContain("Not proved:");
        (await VerbSettings.FailsAsync(["verify", "--proof", ledger.File("inclusion.json")], offline))
            .Output.ShouldContain("A proof is checked against a saved digest");
    }

    [Fact]
    public async Task tree_head_key_makes_a_key_the_host_signs_with_and_verify_checks_the_signed_head_offline()
    {
        (await VerbSettings.FailsAsync(["tree-head-key", "--out", ledger.File("tree-head-key.pem")], new Dictionary<string, string>()))
            .Output.ShouldContain("a key is never overwritten");
        var other = await VerbSettings.SucceedsAsync(["tree-head-key", "--out", ledger.File("other-key.pem")], new Dictionary<string, string>());
        other.Output.ShouldContain("Wrote a tree-head signing key to");
        File.Exists(ledger.File("other-key.pem")).ShouldBeTrue();
        var otherPublic = other.Output[other.Output.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)..];

        using var auditor = ledger.Auditor();
        using var signed = await auditor.PostAsync(new Uri("/api/ledger/tree-heads", UriKind.Relative), new StringContent(string.Empty));
        signed.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        var note = JsonDocument.Parse(await signed.Content.ReadAsStringAsync()).RootElement.GetProperty("note").GetString()!;
        var notePath = ledger.Write("head.note", note);
        var offline = new Dictionary<string, string>();

        (await VerbSettings.SucceedsAsync(["verify", "--tree-head", notePath, "--public-key", ledger.Write("public.pem", ledger.PublicKeyPem)], offline))
            .Output.ShouldNotContain("\u001b[");
        (await VerbSettings.FailsAsync(["verify", "--tree-head", notePath, "--public-key", ledger.Write("other-public.pem", otherPublic)], offline))
            .Output.ShouldContain("none of the keys given");
    }

    [Fact]
    public async Task token_mints_a_token_the_host_accepts_and_refuses_an_unknown_organization()
    {
        var secretariat = await VerbSettings.SucceedsAsync(["token", "--role", "secretariat"], VerbSettings.Runtime(ledger.Database));
        secretariat.Output.ShouldContain("Bearer token for secretariat (role secretariat):");
        secretariat.LastLine.Split('.').Length.ShouldBe(3);
        using (var client = ledger.Host.CreateClient())
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretariat.LastLine);
            var session = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/session", UriKind.Relative))).RootElement.GetProperty("caller");
            session.GetProperty("user").GetString().ShouldBe("secretariat");
            session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["secretariat"]);
        }

        var focal = await VerbSettings.SucceedsAsync(["token", "--role", "focal-point", "--org", "fao"], VerbSettings.Runtime(ledger.Database));
        focal.Output.ShouldContain("(role focal-point, organization FAO)");

        var unknown = await VerbSettings.FailsAsync(["token", "--role", "focal-point", "--org", "NOSUCHORG"], VerbSettings.Runtime(ledger.Database));
        unknown.Output.ShouldContain("The organization 'NOSUCHORG' is not registered in this ledger");
        unknown.Output.Split('\n').ShouldNotContain(l => JwtShape().IsMatch(l.Trim()));

        (await VerbSettings.FailsAsync(["token", "--role", "emperor"], VerbSettings.Runtime(ledger.Database))).Output.ShouldContain("Refused:");
    }

    [Fact]
    public async Task projections_verify_finds_the_read_models_equal_to_a_rebuild_and_prints_one_plain_line_per_projection()
    {
        var run = await VerbSettings.SucceedsAsync(["projections-verify"], VerbSettings.Runtime(ledger.Database));
        output.WriteLine(run.Output);
        run.Output.ShouldContain($"The read models equal a rebuild from {ledger.Events} events");
        run.Output.ShouldNotContain("\u001b[");
        run.Output.ShouldMatch(@"(?m)^\S+: \w+, position \d+, \d+ live, \d+ rebuilt, 0 differences$");
    }

    [Fact]
    public async Task db_apply_installs_the_protection_and_says_what_the_runtime_role_holds()
    {
        var run = await VerbSettings.SucceedsAsync(["db-apply"], VerbSettings.Owner(ledger.Database));
        run.Output.ShouldContain("Protection installed: the runtime role ledger_app holds exactly the runtime's privileges.");

        // Without the owner's connection it changes nothing, and says whose connection it needs.
        var runtime = await LedgerVerb.RunAsync(["db-apply"], VerbSettings.Runtime(ledger.Database));
        output.WriteLine(runtime.Output);
        runtime.ExitCode.ShouldNotBe(0);
        runtime.Output.ShouldMatch("give the owner's connection in ConnectionStrings:LedgerOwner|protection could not be installed");
        (await VerbSettings.EventCountAsync(ledger.Database)).ShouldBe(ledger.Events);
    }

    [Fact]
    public async Task describe_prints_the_configuration_and_the_roles_without_any_secret()
    {
        var settings = new Dictionary<string, string>(VerbSettings.Owner(ledger.Database))
        {
            ["Ledger:TreeHeads:Key"] = File.ReadAllText(ledger.File("tree-head-key.pem")),
        };
        var run = await VerbSettings.SucceedsAsync(["describe"], settings);
        run.Output.ShouldContain("Ledger database roles");
        run.Output.ShouldContain("(redacted)");
        foreach (var connection in new[] { ledger.Database.ConnectionString, ledger.Database.OwnerConnectionString })
        {
            var password = new NpgsqlConnectionStringBuilder(connection).Password!;
            password.Length.ShouldBeGreaterThan(0);
            run.Output.ShouldNotContain(password);
        }

        run.Output.ShouldNotContain(VerbSettings.SigningKey);
        run.Output.ShouldNotContain("PRIVATE KEY");
        run.Output.ShouldNotContain(File.ReadAllLines(ledger.File("tree-head-key.pem"))[1]);
    }

    [Fact]
    public async Task a_long_verb_with_its_output_redirected_prints_plain_progress_lines()
    {
        var path = ledger.File("progress.jsonl");
        var run = await VerbSettings.SucceedsAsync(["verify", "--export", await ExportAsync(path)], new Dictionary<string, string>());
        output.WriteLine(run.Output);
        run.Output.ShouldNotContain("\u001b"); // no colour, no cursor movement
        run.Output.ShouldNotContain("\r");
        var progress = run.Output.Split('\n').Where(l => l.StartsWith("Verifying", StringComparison.Ordinal)).ToList();
        progress.ShouldNotBeEmpty();
        progress.ShouldAllBe(l => Regex.IsMatch(l, @"^Verifying: [\d,]+ events checked$"));
        progress[^1].ShouldBe($"Verifying: {ledger.Events:N0} events checked");

        // A line longer than 80 columns is printed whole: the verdict names the root hash (64 hex digits) unbroken.
        var verdict = run.Output.Split('\n').Single(l => l.StartsWith("Checked ", StringComparison.Ordinal));
        verdict.ShouldMatch(@"^Checked .* root [0-9a-f]{64}\.$");
        verdict.Length.ShouldBeGreaterThan(80);
    }

    private async Task<string> ExportAsync(string path)
    {
        var run = await VerbSettings.SucceedsAsync(["export", "--out", path], VerbSettings.Runtime(ledger.Database));
        var lines = run.Output.Split('\n').Where(l => l.StartsWith("Exporting events", StringComparison.Ordinal)).ToList();
        lines.ShouldNotBeEmpty();
        lines.ShouldAllBe(l => Regex.IsMatch(l, @"^Exporting events: [\d,]+ events$"));
        return path;
    }

    /// <summary>RFC 4180: fields in double quotes may hold commas, quotes (doubled) and line breaks.</summary>
    private static List<string[]> ReadCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        return records;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")]
    private static partial Regex JwtShape();
}
