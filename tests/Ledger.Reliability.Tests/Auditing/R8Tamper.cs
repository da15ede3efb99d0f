using System.Diagnostics;
using System.Text.Json;
using Ledger.Domain.Audit;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using NodaTime;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Auditing;

/// <summary>
/// R8: any edit, deletion, reordering or insertion in the stored events is detected at its exact sequence.
/// A ledger of 100,000 real events is built through the ledger's own append path; once the Merkle subscription
/// has caught up an auditor saves its digest. Then, each from the restored, untouched state, the server's
/// superuser — who is past every protection — edits one row's data, deletes one row, swaps two rows' places,
/// and inserts a forged row with a correctly recomputed hash chain; the ledger's own verification
/// (<c>POST /api/ledger/verify</c> against the saved digest) must name each at its sequence, and must find
/// the untouched ledger intact (no false positive). The runtime role the host serves with tries to switch the
/// protection off (disable or drop the trigger, replace its function) and to change rows: each is refused.
/// </summary>
public sealed class R8Tamper(ITestOutputHelper output)
{
    private const int Streams = 1_000;
    private const int EventsPerStream = 100;

    [Fact]
    public async Task Every_tampering_of_a_100k_event_ledger_is_refused_or_named_at_its_sequence()
    {
        await using var database = await TestDatabase.CreateAsync("r8");
        await using var host = await LedgerProcess.StartAsync("r8", FaultHosts.Settings(database));
        using var client = host.CreateClient(TimeSpan.FromSeconds(120));
        await using var admin = new NpgsqlConnection(database.AdminConnectionString);
        await admin.OpenAsync();

        // 100,000 events, in two halves with one sequence number burned between them — as a rolled-back write
        // burns one — so that a row can later be forged into the middle of the global order.
        var build = Stopwatch.StartNew();
        using (var store = FaultHosts.Store(database))
        {
            var next = await SyntheticLedger.AppendAsync(store, Streams / 2, EventsPerStream, SystemClock.Instance.GetCurrentInstant());
            await ScalarAsync<long>(admin, "select nextval('ledger.mt_events_sequence')");
            await SyntheticLedger.AppendAsync(store, Streams / 2, EventsPerStream, next + Duration.FromSeconds(1), firstStream: Streams / 2 + 1);
        }

        var built = build.Elapsed;
        var gap = await ScalarAsync<long>(admin,
            "select min(e.seq_id) + 1 from ledger.mt_events e where not exists (select 1 from ledger.mt_events n where n.seq_id = e.seq_id + 1) and e.seq_id < (select max(seq_id) from ledger.mt_events)");
        var merkle = await WaitForMerkleAsync(client, TimeSpan.FromMinutes(3));
        var digest = await LedgerApi.DigestAsync(client);
        var events = digest.GetProperty("treeSize").GetInt64();
        events.ShouldBeGreaterThanOrEqualTo(Streams * EventsPerStream);

        var timings = new List<double>();
        async Task<JsonElement> VerifyAsync()
        {
            var watch = Stopwatch.StartNew();
            var report = await LedgerApi.VerifyLedgerAsync(client, digest);
            timings.Add(watch.Elapsed.TotalSeconds);
            return report;
        }

        var clean = await VerifyAsync();
        var cases = new List<(string Case, long Sequence, string Expected, Finding? First, int Findings)>();
        var middle = await ScalarAsync<long>(admin, $"select seq_id from ledger.mt_events where stream_id = '{SyntheticLedger.Code(250)}' and version = 50");

        // Edit one row's data.
        var original = await ScalarAsync<string>(admin, $"select data::text from ledger.mt_events where seq_id = {middle}");
        await ExecuteAsync(admin, $"update ledger.mt_events set data = jsonb_set(data, '{{remarks}}', '\"Quietly rewritten.\"') where seq_id = {middle}");
        cases.Add(Case("edit", middle, "altered", await VerifyAsync()));
        await ExecuteAsync(admin, $"update ledger.mt_events set data = @original::jsonb where seq_id = {middle}", ("original", original));

        // Delete one row.
        await ExecuteAsync(admin, $"create temp table r8_saved as select * from ledger.mt_events where seq_id = {middle}; delete from ledger.mt_events where seq_id = {middle}");
        cases.Add(Case("delete", middle, "removed", await VerifyAsync()));
        await ExecuteAsync(admin, "insert into ledger.mt_events select * from r8_saved; drop table r8_saved");

        // Swap two rows' places in the global order: the last event of one stream and the first of the next, so every
        // stream's own chain still holds and only the ledger's order was changed.
        var last = await ScalarAsync<long>(admin, $"select seq_id from ledger.mt_events where stream_id = '{SyntheticLedger.Code(750)}' and version = {EventsPerStream}");
        (await ScalarAsync<string>(admin, $"select stream_id from ledger.mt_events where seq_id = {last + 1}")).ShouldNotBe(SyntheticLedger.Code(750));
        var swap = $"update ledger.mt_events set seq_id = -1 where seq_id = {last}; update ledger.mt_events set seq_id = {last} where seq_id = {last + 1}; update ledger.mt_events set seq_id = {last + 1} where seq_id = -1";
        await ExecuteAsync(admin, swap);
        cases.Add(Case("swap", last, "reordered", await VerifyAsync()));
        await ExecuteAsync(admin, swap);

        // Insert a forged row into the gap, chained onto its stream with a correctly recomputed hash.
        await ForgeAsync(admin, gap, SyntheticLedger.Code(Streams / 2));
        cases.Add(Case("insert", gap, "inserted", await VerifyAsync()));
        await ExecuteAsync(admin, $"delete from ledger.mt_events where seq_id = {gap}");

        var restored = await VerifyAsync();

        // The runtime role tries to switch the protection off, or to go around it: each attempt is refused
        // (and rolled back regardless, so an accepted one changes nothing here).
        var attempts = new (string Name, string Sql)[]
        {
            ("disable the trigger", "alter table ledger.mt_events disable trigger ledger_events_immutable"),
            ("disable every trigger", "alter table ledger.mt_events disable trigger all"),
            ("drop the trigger", "drop trigger ledger_events_immutable on ledger.mt_events"),
            ("replace its function", "create or replace function ledger.ledger_refuse_event_change() returns trigger language plpgsql as $$ begin return coalesce(new, old); end $$"),
            ("update a row", $"update ledger.mt_events set data = data where seq_id = {middle}"),
            ("delete a row", $"delete from ledger.mt_events where seq_id = {middle}"),
            ("truncate", "truncate ledger.mt_events cascade"),
        };
        var refused = new List<string>();
        var accepted = new List<string>();
        await using (var runtime = new NpgsqlConnection(database.ConnectionString))
        {
            await runtime.OpenAsync();
            foreach (var (name, sql) in attempts)
            {
                await using var transaction = await runtime.BeginTransactionAsync();
                try
                {
                    await using var command = new NpgsqlCommand(sql, runtime, transaction);
                    await command.ExecuteNonQueryAsync();
                    accepted.Add(name);
                }
                catch (PostgresException e)
                {
                    refused.Add($"{name} ({e.SqlState})");
                }

                await transaction.RollbackAsync();
            }
        }

        var named = cases.Count(c => c.First is { } f && f.Sequence == c.Sequence && f.Kind == c.Expected);
        Figures.Report(output, "R8", $"{events} events built in {built.TotalSeconds:F0} s, Merkle subscription caught up in {merkle.TotalSeconds:F0} s; " +
            $"verification against the saved digest, {timings.Average():F1} s each: untouched {Verdict(clean)}, " +
            string.Join(", ", cases.Select(c => $"{c.Case} at {c.Sequence} -> {(c.First is { } f ? $"{f.Kind} at {f.Sequence}" : "NOT DETECTED")}")) +
            $" ({named} of {cases.Count} named at their exact sequence), restored {Verdict(restored)}; " +
            $"runtime role: {refused.Count} of {attempts.Length} attempts on the protection refused{(accepted.Count > 0 ? " — ACCEPTED: " + string.Join(", ", accepted) : string.Empty)}");

        clean.GetProperty("intact").GetBoolean().ShouldBeTrue("no false positive on the untouched ledger: " + clean);
        clean.GetProperty("treeLeavesCompared").GetInt64().ShouldBe(events);
        foreach (var c in cases)
        {
            c.First.ShouldNotBeNull($"{c.Case} is detected");
            c.First.Sequence.ShouldBe(c.Sequence, $"{c.Case} is named at its exact sequence");
            c.First.Kind.ShouldBe(c.Expected, c.Case);
        }

        restored.GetProperty("intact").GetBoolean().ShouldBeTrue("restored, the ledger is intact again: " + restored);
        accepted.ShouldBeEmpty("the runtime role can neither switch the protection off nor change a stored event");
    }

    private sealed record Finding(string Kind, long Sequence);

    private static (string, long, string, Finding?, int) Case(string name, long sequence, string expected, JsonElement report)
    {
        var findings = report.GetProperty("findings");
        JsonElement? first = findings.GetArrayLength() == 0 ? null : findings[0];
        return (name, sequence, expected, first is { } f ? new Finding(f.GetProperty("kind").GetString()!, f.GetProperty("sequence").GetInt64()) : null, findings.GetArrayLength());
    }

    private static string Verdict(JsonElement report) =>
        report.GetProperty("intact").GetBoolean() ? "intact (0 findings)" : $"{report.GetProperty("findings").GetArrayLength()} FINDINGS";

    /// <summary>
    /// As a forger with the superuser's hand would: a copy of <paramref name="stream"/>'s last event with new remarks,
    /// stored as its next version at <paramref name="sequence"/>, sealed with the chain hash the ledger itself would compute.
    /// </summary>
    private static async Task ForgeAsync(NpgsqlConnection admin, long sequence, string stream)
    {
        await using var read = new NpgsqlCommand(
            "select version, type, timestamp, headers ->> 'hash', jsonb_set(data, '{remarks}', '\"An entry nobody made.\"')::text " +
            "from ledger.mt_events where stream_id = @stream order by version desc limit 1", admin);
        read.Parameters.AddWithValue("stream", stream);
        long version;
        string type, previous, data;
        DateTimeOffset timestamp;
        await using (var reader = await read.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (version, type, timestamp, previous, data) = (reader.GetInt64(0) + 1, reader.GetString(1),
                EventHash.ToStoredPrecision(reader.GetFieldValue<DateTimeOffset>(2).AddMilliseconds(1)), reader.GetString(3), reader.GetString(4));
        }

        var hash = EventHash.ComputeFromStoredData(previous, stream, version, type, timestamp, data);
        await ExecuteAsync(admin,
            "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
            "select @seq, gen_random_uuid(), stream_id, @version, @data::jsonb, type, @timestamp, tenant_id, mt_dotnet_type, jsonb_build_object('hash', @hash::text), user_name " +
            "from ledger.mt_events where stream_id = @stream order by version desc limit 1",
            ("seq", sequence), ("version", version), ("data", data), ("timestamp", timestamp), ("hash", hash), ("stream", stream));
    }

    /// <summary>Waits until the Merkle subscription has reached the high-water mark (the dashboards may still be catching up).</summary>
    private static async Task<TimeSpan> WaitForMerkleAsync(HttpClient client, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var (hwm, projections) = await LedgerApi.ProjectionsAsync(client);
            if (projections.Single(p => p.Name == "ledger-merkle-tree").Position >= hwm)
            {
                return watch.Elapsed;
            }

            watch.Elapsed.ShouldBeLessThan(timeout, "the Merkle subscription catches up");
            await Task.Delay(250);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
