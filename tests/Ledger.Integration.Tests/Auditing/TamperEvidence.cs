using System.Text.Json;
using Alba;
using Ledger.Domain.Audit;
using Ledger.Host.Audit;
using Ledger.Host.Hosting;
using Ledger.Integration.Tests.Support;
using Npgsql;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

public sealed class TamperEvidence(LedgerFixture fixture) : AuditTest(fixture)
{
    [Fact]
    public async Task a_clean_ledger_verifies_and_its_digest_matches_the_export_recomputed_from_the_file_alone()
    {
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync("GVA-2022-2.3", "delayed");

        var report = await VerifyAsync();
        var digest = await DigestAsync();

        report.Findings.ShouldBeEmpty();
        report.EventsChecked.ShouldBe(54);
        report.Digest.RootHash.ShouldBe(digest.RootHash);
        digest.TreeSize.ShouldBe(54);

        var export = await Host.Scenario(s =>
        {
            s.Get.Url("/api/ledger/export?format=jsonl");
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
        });
        var offline = new LedgerVerification(digest);
        using var reader = new StringReader(await export.ReadAsTextAsync());
        await foreach (var row in LedgerExport.ReadJsonLines(reader))
        {
            offline.Check(row);
        }

        var fromFile = offline.Complete(DateTimeOffset.UtcNow);
        fromFile.Findings.ShouldBeEmpty();
        fromFile.Digest.RootHash.ShouldBe(digest.RootHash);
        fromFile.Digest.TreeSize.ShouldBe(54);
    }

    [Fact]
    public async Task the_csv_export_has_a_line_per_event()
    {
        var export = await Host.Scenario(s =>
        {
            s.Get.Url("/api/ledger/export?format=csv&after=10");
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
        });
        var records = Ledger.Host.Importing.Csv.Read(await export.ReadAsTextAsync());

        records[0].Fields.ShouldBe(LedgerExport.CsvHeader.Split(','));
        records.Count.ShouldBe(1 + 42);
        records.Skip(1).ShouldAllBe(r => r.Fields.Count == LedgerExport.CsvHeader.Split(',').Length);
    }

    [Fact]
    public async Task altering_one_value_is_named_at_its_sequence()
    {
        var sequence = await SequenceOfAsync("AST-2024-06", 1);
        await TamperAsync($"update ledger.mt_events set data = jsonb_set(data, '{{title}}', '\"A different title\"') where seq_id = {sequence}");

        var report = await VerifyAsync();

        report.First!.Kind.ShouldBe(FindingKind.Altered);
        report.First.Sequence.ShouldBe(sequence);
        report.First.Stream.ShouldBe("AST-2024-06");
        report.Findings.Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_deleted_event_is_named_where_its_stream_breaks_in_an_export_verified_offline()
    {
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync(LetterOfIntent, "delayed");
        var removed = await SequenceOfAsync(LetterOfIntent, 2);
        var following = await SequenceOfAsync(LetterOfIntent, 3);
        await TamperAsync($"delete from ledger.mt_events where seq_id = {removed}");

        // An export carries no Merkle tree of the daemon's: only the stream's chain can tell.
        var export = await Host.Scenario(s =>
        {
            s.Get.Url("/api/ledger/export?format=jsonl");
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
        });
        var offline = new LedgerVerification();
        using var reader = new StringReader(await export.ReadAsTextAsync());
        await foreach (var row in LedgerExport.ReadJsonLines(reader))
        {
            offline.Check(row);
        }

        var report = offline.Complete(DateTimeOffset.UtcNow);
        report.First!.Kind.ShouldBe(FindingKind.Removed);
        report.First.Sequence.ShouldBe(following);
        report.First.Detail.ShouldContain("version 2");
    }

    [Fact]
    public async Task a_deleted_event_the_tree_holds_is_named_at_its_own_sequence()
    {
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync(LetterOfIntent, "delayed");
        await TreeCaughtUpAsync();
        var removed = await SequenceOfAsync(LetterOfIntent, 2);
        var following = await SequenceOfAsync(LetterOfIntent, 3);
        await TamperAsync($"delete from ledger.mt_events where seq_id = {removed}");

        var report = await VerifyAsync();

        report.First!.Kind.ShouldBe(FindingKind.Removed);
        report.First.Sequence.ShouldBe(removed);
        report.Findings.ShouldContain(f => f.Sequence == following && f.Detail.Contains("version 2"));
    }

    [Fact]
    public async Task the_last_event_of_a_stream_deleted_is_caught_by_the_streams_version()
    {
        await ReviewAsync(LetterOfIntent);
        await TreeCaughtUpAsync();
        await TamperAsync($"delete from ledger.mt_events where stream_id = '{LetterOfIntent}' and version = 2");

        var report = await VerifyAsync();

        report.First!.Kind.ShouldBe(FindingKind.Removed);
        report.First.Stream.ShouldBe(LetterOfIntent);
        report.First.Detail.ShouldContain("version 2");
    }

    [Fact]
    public async Task two_events_swapped_are_named_at_the_first_out_of_place()
    {
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync(LetterOfIntent, "delayed");
        var second = await SequenceOfAsync(LetterOfIntent, 2);
        var third = await SequenceOfAsync(LetterOfIntent, 3);
        await TamperAsync($"update ledger.mt_events set seq_id = -1 where seq_id = {second}; "
                          + $"update ledger.mt_events set seq_id = {second} where seq_id = {third}; "
                          + $"update ledger.mt_events set seq_id = {third} where seq_id = -1");

        var report = await VerifyAsync();

        report.First!.Kind.ShouldBe(FindingKind.Reordered);
        report.First.Sequence.ShouldBe(second);
    }

    [Fact]
    public async Task a_forged_row_is_named_even_when_its_hash_is_recomputed()
    {
        await ReviewAsync(LetterOfIntent);
        var digest = await DigestAsync();

        // The forger copies the last event as version 3 with a correct-looking chain hash.
        var history = await GetHistoryAsync(LetterOfIntent);
        var last = history[^1];
        var data = last.GetProperty("data");
        var timestamp = DateTimeOffset.Parse(last.GetProperty("recordedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var forgedHash = EventHash.Compute(last.GetProperty("hash").GetString()!, LetterOfIntent, 3, "review-decision-recorded",
            timestamp, CanonicalJson.Canonicalize(data.GetRawText()));
        await TamperAsync($"""
            insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, is_archived)
            select nextval('ledger.mt_events_sequence'), gen_random_uuid(), stream_id, 3, data, type, timestamp, tenant_id, mt_dotnet_type,
                   jsonb_build_object('hash', '{forgedHash}'), false
            from ledger.mt_events where stream_id = '{LetterOfIntent}' and version = 2
            """);

        var report = await VerifyAsync(digest);

        report.Findings.ShouldContain(f => f.Kind == FindingKind.Inserted && f.Stream == LetterOfIntent && f.Version == 3);
    }

    [Fact]
    public async Task an_event_inserted_in_the_middle_breaks_the_saved_digest()
    {
        var digest = await DigestAsync();
        await TreeCaughtUpAsync();
        var sequence = await SequenceOfAsync("AST-2024-01", 1);
        await TamperAsync($"""
            update ledger.mt_events set seq_id = seq_id + 1000000 where seq_id > {sequence};
            insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, is_archived)
            select {sequence} + 1, gen_random_uuid(), stream_id, 2, data, type, timestamp, tenant_id, mt_dotnet_type, headers, false
            from ledger.mt_events where seq_id = {sequence};
            """);

        var report = await VerifyAsync(digest);

        report.Intact.ShouldBeFalse();
        report.First!.Sequence.ShouldBe(sequence + 1);
        report.Findings.ShouldContain(f => f.Kind == FindingKind.DigestMismatch);
        report.Findings.ShouldContain(f => f.Kind == FindingKind.Inserted && f.Stream == "AST-2024-01");
    }

    [Fact]
    public async Task stored_events_cannot_be_updated_or_deleted_by_the_runtime_role_nor_by_the_owner_outside_its_maintenance_path()
    {
        // Two layers: the runtime role the host serves with lacks the privileges; the owner has them, and the
        // immutability trigger refuses it (only by disabling the trigger, which it may, can it change a row).
        foreach (var (role, connectionString, refusal) in (ValueTuple<string, string, string>[])
                 [("runtime", Database.ConnectionString, "permission denied"), ("owner", Database.OwnerConnectionString, "immutable")])
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            foreach (var sql in (string[])["update ledger.mt_events set data = '{}' where version = 1", "delete from ledger.mt_events", "truncate ledger.mt_events"])
            {
                await using var command = new NpgsqlCommand(sql, connection);
                var refused = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
                refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, $"{role}: {sql}");
                refused.MessageText.ShouldContain(refusal, Case.Insensitive, $"{role}: {sql}");
            }
        }

        (await Host.EventCountAsync()).ShouldBe(52);
        (await VerifyAsync()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_later_digest_is_proved_to_extend_a_saved_one_and_each_event_is_proved_included()
    {
        var saved = await DigestAsync();
        await ReviewAsync(LetterOfIntent);
        await ReviewAsync("GVA-2022-1.1");
        var later = await DigestAsync();

        var consistency = await GetAsync<ConsistencyProof>($"/api/ledger/proofs/consistency?from={saved.TreeSize}");
        consistency.FromRoot.ShouldBe(saved.RootHash);
        consistency.ToRoot.ShouldBe(later.RootHash);
        var proof = consistency.Proof.Select(Convert.FromHexString).ToList();
        MerkleTree.VerifyConsistency(saved.TreeSize, later.TreeSize, Convert.FromHexString(saved.RootHash), Convert.FromHexString(later.RootHash), proof)
            .ShouldBeTrue();

        // Forged or truncated proofs are refused.
        MerkleTree.VerifyConsistency(saved.TreeSize, later.TreeSize, Convert.FromHexString(saved.RootHash), Convert.FromHexString(later.RootHash), proof.Take(proof.Count - 1).ToList())
            .ShouldBeFalse();
        var flipped = proof.Select(p => p.ToArray()).ToList();
        flipped[0][0] ^= 1;
        MerkleTree.VerifyConsistency(saved.TreeSize, later.TreeSize, Convert.FromHexString(saved.RootHash), Convert.FromHexString(later.RootHash), flipped)
            .ShouldBeFalse();

        var sequence = await SequenceOfAsync(LetterOfIntent, 2);
        var inclusion = await GetAsync<InclusionProof>($"/api/ledger/proofs/inclusion?sequence={sequence}");
        inclusion.RootHash.ShouldBe(later.RootHash);
        MerkleTree.VerifyInclusion(Convert.FromHexString(inclusion.LeafHash), inclusion.LeafIndex, inclusion.TreeSize,
            inclusion.Proof.Select(Convert.FromHexString).ToList(), Convert.FromHexString(later.RootHash)).ShouldBeTrue();
        MerkleTree.VerifyInclusion(Convert.FromHexString(inclusion.LeafHash), inclusion.LeafIndex + 1, inclusion.TreeSize,
            inclusion.Proof.Select(Convert.FromHexString).ToList(), Convert.FromHexString(later.RootHash)).ShouldBeFalse();

        (await VerifyAsync(saved)).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task verify_over_http_reports_the_first_finding()
    {
        var sequence = await SequenceOfAsync("GVA-2022-3.9", 1);
        await TamperAsync($"update ledger.mt_events set data = jsonb_set(data, '{{topic}}', '\"Something else\"') where seq_id = {sequence}");

        var response = await Host.PostAsync("/api/ledger/verify", "", AuditorToken);

        response.Status.ShouldBe(200, response.Body);
        response.Json.GetProperty("intact").GetBoolean().ShouldBeFalse();
        response.Json.GetProperty("firstFinding").GetProperty("sequence").GetInt64().ShouldBe(sequence);
        response.Json.GetProperty("firstFinding").GetProperty("kind").GetString().ShouldBe("altered");
    }

    private async Task<T> GetAsync<T>(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
            s.StatusCodeShouldBeOk();
        });
        return JsonSerializer.Deserialize<T>(await result.ReadAsTextAsync(), ApiJson.Options)!;
    }

    private async Task<List<JsonElement>> GetHistoryAsync(string code)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{code}/history");
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
        });
        return [.. JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
    }
}
