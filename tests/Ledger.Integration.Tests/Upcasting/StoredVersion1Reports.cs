using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Host.Audit;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Ledger.Projections;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using Shouldly;

namespace Ledger.Integration.Tests.Upcasting;

/// <summary>
/// A ledger whose progress reports were stored as version 1 (<c>progress-reported</c>, a percentage only): the rows of
/// <c>v1-ledger.*.jsonl</c>, dumped as they were stored by the ledger before reports had indicators (the shipped
/// meetings' data, five progress reports and a review), inserted with SQL, never built through today's code.
/// Every read of the store sees them as version 2; the stored bytes, and so the hash chains and the digest, stay as written.
/// </summary>
public sealed class StoredVersion1Reports(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string LetterOfIntent = "AST-2024-06"; // v1 reports at versions 2 (10%) and 4 (35%), a review at 3
    private const string Afghanistan = "AST-2024-07";    // v1 reports without a percentage, at versions 2 and 3
    private const string Completed = "AST-2024-01";      // v1 reports: in progress (0%), then completed (100%)

    private static readonly string[] EventRows = Rows("mt_events");
    private static readonly string[] StreamRows = Rows("mt_streams");

    private string Auditor => Host.TokenFor(LedgerRoles.Auditor);

    private string Secretariat => Host.TokenFor(LedgerRoles.Secretariat);

    private static string[] Rows(string table) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Upcasting", $"v1-ledger.{table}.jsonl")).Where(l => l.Length > 0).ToArray();

    private static JsonElement Row(string stream, long version) => EventRows
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Single(r => r.GetProperty("stream_id").GetString() == stream && r.GetProperty("version").GetInt64() == version);

    private static Instant StoredAt(string stream, long version) =>
        Instant.FromDateTimeOffset(DateTimeOffset.Parse(Row(stream, version).GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // As a restore would bring them back: the owner inserts the rows exactly as they were stored.
        await using (var connection = new NpgsqlConnection(Database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand(
                $"""
                insert into {LedgerStore.Schema}.mt_streams select * from json_populate_recordset(null::{LedgerStore.Schema}.mt_streams, @streams::json);
                insert into {LedgerStore.Schema}.mt_events select * from json_populate_recordset(null::{LedgerStore.Schema}.mt_events, @events::json);
                select setval('{LedgerStore.Schema}.mt_events_sequence', (select max(seq_id) from {LedgerStore.Schema}.mt_events));
                """, connection, transaction);
            command.Parameters.AddWithValue("streams", "[" + string.Join(",", StreamRows) + "]");
            command.Parameters.AddWithValue("events", "[" + string.Join(",", EventRows) + "]");
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        // The inline read models of those events are built by a rebuild, as after an upgrade (docs/operations.md).
        using (var daemon = await Store.BuildProjectionDaemonAsync())
        {
            foreach (var inline in (string[])["CommitmentView", "MeetingView", "OrganizationView", "FrameworkView"])
            {
                await daemon.RebuildProjectionAsync(inline, CancellationToken.None);
            }
        }

        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        Clock.Reset(Instant.FromUtc(2024, 7, 30, 6, 0)); // the morning after the fixture's last event
    }

    [Fact]
    public async Task the_fixture_holds_version_1_rows_as_they_were_stored()
    {
        EventRows.Count(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString() == "progress-reported").ShouldBe(7);
        (await StoredAsync()).ShouldBe(EventRows.Select(Stored).ToList());
        Row(LetterOfIntent, 4).GetProperty("data").GetProperty("percentComplete").GetInt32().ShouldBe(35);
    }

    [Fact]
    public async Task the_write_model_decides_on_them()
    {
        // Completed by a version 1 report: final, so it takes no more reports.
        var refused = await ReportAsync(Completed, new { status = "in-progress", narrative = "More work.", asOf = "2024-07-29" });
        refused.ShouldBeProblem(422).GetProperty("errors").GetProperty("status")[0].GetString()!.ShouldContain("final");

        // The stream's version counts its version 1 events: a stale expected version is a conflict, the current one appends.
        (await ReportAsync(LetterOfIntent, new { status = "in-progress", narrative = "Late.", asOf = "2024-07-29", expectedVersion = 3 })).ShouldBeProblem(409);
        var accepted = await ReportAsync(LetterOfIntent, new { status = "in-progress", narrative = "Five countries.", asOf = "2024-07-29", expectedVersion = 4 });
        accepted.Status.ShouldBe(200, accepted.Body);
    }

    [Fact]
    public async Task every_projection_reads_them_as_version_2_and_a_rebuild_equals_the_live_read_models()
    {
        var letter = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}");
        letter.Version.ShouldBe(4);
        letter.LatestProgress!.PercentComplete.ShouldBe(35);
        letter.LatestProgress.Indicators.ShouldBe([ProgressIndicators.FromPercentComplete(35)]);
        var afghanistan = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{Afghanistan}");
        afghanistan.LatestProgress!.PercentComplete.ShouldBeNull();
        afghanistan.LatestProgress.Indicators.ShouldBeEmpty();
        (await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{Completed}")).Status.ShouldBe(CommitmentStatus.Completed);

        // The async ones: the activity feed's sentences, the dashboards' lines, the checkpoints.
        await using var session = Store.QuerySession();
        var reports = await session.Query<ActivityEntry>().Where(a => a.Commitment == LetterOfIntent).OrderBy(a => a.Id).ToListAsync();
        reports.Select(a => a.Summary).ShouldContain("AST-2024-06 reported in-progress as of 2024-07-26 (35% complete)");
        reports.Where(a => a.Summary.Contains("reported", StringComparison.Ordinal)).ShouldAllBe(a => a.Type == "progress-reported-v2");
        (await session.LoadAsync<DashboardLine>(Completed))!.Status.ShouldBe(CommitmentStatus.Completed);
        var board = await Host.GetAsync("/api/dashboard/meetings/AST-2024", Auditor);
        board.Json.GetProperty("byStatus").GetProperty("completed").GetInt32().ShouldBe(1);

        var verify = await Host.PostAsync("/api/projections/verify", null, Auditor);
        verify.Status.ShouldBe(200, verify.Body);
        verify.Json.GetProperty("matches").GetBoolean().ShouldBeTrue(verify.Body);
        verify.Json.GetProperty("events").GetInt32().ShouldBe(EventRows.Length);
    }

    [Fact]
    public async Task time_travel_and_the_history_show_them()
    {
        var atFirst = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}?version=2", Auditor);
        atFirst.LatestProgress!.Indicators.ShouldBe([ProgressIndicators.FromPercentComplete(10)]);
        atFirst.LatestProgress.PercentComplete.ShouldBe(10);
        var beforeSecond = await Host.GetJsonAsync<CommitmentView>(
            $"/api/commitments/{LetterOfIntent}?asOf={StoredAt(LetterOfIntent, 4).Minus(Duration.FromMinutes(1))}", Auditor);
        (beforeSecond.Version, beforeSecond.LatestProgress!.PercentComplete).ShouldBe((3L, 10));
        // By business date: the version 1 report of 24 July is in force on the 25th, the one of the 26th not yet.
        var onThe25th = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}?effectiveOn=2024-07-25", Auditor);
        onThe25th.LatestProgress!.Indicators.ShouldBe([ProgressIndicators.FromPercentComplete(10)]);
        var now = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}?asOf={Clock.GetCurrentInstant()}", Auditor);
        now.ShouldBeEquivalentTo(await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}"));

        // The board as it stood before the commitment's version 1 completion, and after it.
        var completion = StoredAt(Completed, 3);
        var before = await Host.GetAsync($"/api/dashboard/meetings/AST-2024?asOf={completion.Minus(Duration.FromMinutes(1))}", Auditor);
        var after = await Host.GetAsync($"/api/dashboard/meetings/AST-2024?asOf={completion}", Auditor);
        before.Json.GetProperty("byStatus").GetProperty("completed").GetInt32().ShouldBe(0, before.Body);
        after.Json.GetProperty("byStatus").GetProperty("completed").GetInt32().ShouldBe(1, after.Body);

        var history = (await Host.GetAsync($"/api/commitments/{LetterOfIntent}/history", Auditor)).Json.GetProperty("events").EnumerateArray().ToList();
        history.Select(e => e.GetProperty("type").GetString()).ShouldBe(["commitment-pledged", "progress-reported", "review-decision-recorded", "progress-reported"]);
        var report = history[3];
        report.GetProperty("data").GetProperty("percentComplete").GetInt32().ShouldBe(35); // as stored
        report.GetProperty("hash").GetString().ShouldBe(Row(LetterOfIntent, 4).GetProperty("headers").GetProperty("hash").GetString());
        var readAs = report.GetProperty("readAs");
        readAs.GetProperty("type").GetString().ShouldBe("progress-reported-v2");
        var indicator = readAs.GetProperty("data").GetProperty("indicators").EnumerateArray().ShouldHaveSingleItem();
        (indicator.GetProperty("name").GetString(), indicator.GetProperty("measure").GetString(), indicator.GetProperty("target").GetDecimal(), indicator.GetProperty("actual").GetDecimal())
            .ShouldBe(("completion", "Percentage", 100m, 35m));
        readAs.GetProperty("data").TryGetProperty("percentComplete", out _).ShouldBeFalse();
        history[0].TryGetProperty("readAs", out var pledge).ShouldBeTrue();
        pledge.ValueKind.ShouldBe(JsonValueKind.Null); // the current version: nothing to read differently
    }

    [Fact]
    public async Task a_version_2_report_appends_after_them_with_the_chain_intact_and_verify_passes_on_every_stored_byte()
    {
        var written = await ReportAsync(LetterOfIntent, new
        {
            status = "in-progress",
            narrative = "Missions in five of the nine countries.",
            asOf = "2024-07-29",
            percentComplete = 55,
            indicators = new object[]
            {
                new { name = "farmers trained", measure = "unit", baseline = 0, target = 500, actual = 120.5m },
                new { name = "community ownership", measure = "qualitative", comment = "Village committees run two stores." },
            },
        });
        written.Status.ShouldBe(200, written.Body);
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        // The version 1 rows are byte for byte what was stored; the new one is version 2, chained onto the last of them.
        var stored = await StoredAsync();
        stored.Take(EventRows.Length).ShouldBe(EventRows.Select(Stored).ToList());
        var appended = stored[^1];
        (appended.Stream, appended.Version, appended.Type).ShouldBe((LetterOfIntent, 5L, "progress-reported-v2"));
        var previous = Row(LetterOfIntent, 4).GetProperty("headers").GetProperty("hash").GetString()!;
        appended.Hash.ShouldBe(EventHash.Compute(previous, LetterOfIntent, 5, appended.Type, appended.Timestamp, CanonicalJson.Canonicalize(appended.Data)));

        var report = await Host.Services.GetRequiredService<LedgerAudit>().VerifyAsync(null, null, CancellationToken.None);
        report.Intact.ShouldBeTrue(string.Join("; ", report.Findings));
        (report.EventsChecked, report.TreeLeavesCompared).ShouldBe((EventRows.Length + 1L, EventRows.Length + 1L));

        var view = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}");
        view.LatestProgress!.PercentComplete.ShouldBe(55);
        view.LatestProgress.Indicators.Select(i => i.Name).ShouldBe(["completion", "farmers trained", "community ownership"]);
    }

    [Fact]
    public async Task the_export_holds_them_as_stored_and_verifies_offline()
    {
        var saved = await Host.Services.GetRequiredService<LedgerAudit>().DigestAsync(CancellationToken.None);
        using var file = new MemoryStream();
        await LedgerExport.WriteAsync(Host.Services.GetRequiredService<RawEvents>().ReadAsync(), ExportFormat.Jsonl, file, null, CancellationToken.None);

        var text = Encoding.UTF8.GetString(file.ToArray());
        var verification = new LedgerVerification(saved);
        var exported = new List<StoredEvent>();
        await foreach (var row in LedgerExport.ReadJsonLines(new StringReader(text)))
        {
            verification.Check(row);
            exported.Add(row);
        }

        verification.Complete(DateTimeOffset.UtcNow).Intact.ShouldBeTrue();
        exported.Count(e => e.Type == "progress-reported").ShouldBe(7);
        using var last = JsonDocument.Parse(exported.Single(e => e.Stream == LetterOfIntent && e.Version == 4).Data);
        last.RootElement.GetProperty("percentComplete").GetInt32().ShouldBe(35);
    }

    private Task<WriteResponse> ReportAsync(string code, object body) => Host.PostAsync($"/api/commitments/{code}/progress", body, Secretariat);

    /// <summary>A row of the fixture as the stored-event record verification reads.</summary>
    private static StoredEvent Stored(string line)
    {
        var r = JsonDocument.Parse(line).RootElement;
        return new StoredEvent(
            r.GetProperty("seq_id").GetInt64(), r.GetProperty("stream_id").GetString()!, r.GetProperty("version").GetInt64(), r.GetProperty("type").GetString()!,
            DateTimeOffset.Parse(r.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture).ToUniversalTime(),
            r.GetProperty("data").GetRawText(), r.GetProperty("headers").GetProperty("hash").GetString());
    }

    private async Task<List<StoredEvent>> StoredAsync() =>
        await Host.Services.GetRequiredService<RawEvents>().ReadAsync().Select(r => r.Event).ToListAsync();
}
