using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using NodaTime;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Projections;

/// <summary>
/// R5: async projections catch up to exactly the events, and never skip one.
/// <list type="number">
/// <item>A burst of events is appended through the ledger's own path; the host process is killed with SIGKILL while
/// the async daemon is mid-way through it, then started again. Once caught up, every projection equals a fresh
/// rebuild (the product's rebuild proof, <c>POST /api/projections/verify</c>) and the Merkle tree verifies leaf by leaf.</item>
/// <item>An event no projection can apply (a review decision whose rating is no rating) is planted with raw SQL
/// as the superuser, and valid events are written after it. Every projection that reads it stops before it — its
/// position stays below the poison's sequence while later events wait — and says so: <c>/api/projections</c>
/// and <c>/health</c> name the projection and the sequence, and so does the host's log.</item>
/// </list>
/// </summary>
public sealed class R5DaemonCrashAndPoison(ITestOutputHelper output)
{
    private const int BurstStreams = 300;
    private const int EventsPerStream = 50;

    [Fact]
    public async Task A_daemon_killed_mid_batch_catches_up_to_a_rebuild_and_a_poison_event_stops_it_loudly()
    {
        await using var database = await TestDatabase.CreateAsync("r5");
        var settings = FaultHosts.Settings(database);
        var port = LoopbackPort.Free();
        var host = await LedgerProcess.StartAsync("r5", settings, port);
        try
        {
            using var client = host.CreateClient(TimeSpan.FromSeconds(60));
            await LedgerApi.WaitUntilCaughtUpAsync(client, TimeSpan.FromSeconds(60));
            var (before, _) = await LedgerApi.ProjectionsAsync(client);

            // 1. A burst, and a kill while the daemon is in the middle of it.
            var burst = Stopwatch.StartNew();
            using (var store = FaultHosts.Store(database))
            {
                await SyntheticLedger.AppendAsync(store, BurstStreams, EventsPerStream, SystemClock.Instance.GetCurrentInstant(), streamsPerBatch: 20);
            }

            var appended = burst.Elapsed;
            var (killedAt, lagging) = await KillMidCatchUpAsync(host, client, before);
            await host.DisposeAsync();
            host = await LedgerProcess.StartAsync("r5-restarted", settings, port);
            var restarted = Stopwatch.StartNew();
            var caughtUp = await LedgerApi.WaitUntilCaughtUpAsync(client, TimeSpan.FromSeconds(90));
            var proof = await LedgerApi.VerifyProjectionsAsync(client);
            var verification = await LedgerApi.VerifyLedgerAsync(client);
            var events = verification.GetProperty("eventsChecked").GetInt64();

            output.WriteLine($"burst appended in {appended.TotalSeconds:F1} s, killed at {killedAt} ({lagging}), caught up {caughtUp.TotalSeconds:F1} s after the restart");

            // 2. A poison event, then valid events after it.
            var copied = await LedgerApi.ReviewAsync(client, "AST-2024-06", "R5 the review the poison event copies");
            copied.IsSuccess.ShouldBeTrue(copied.Body);
            var (poison, stream) = await PlantPoisonAsync(database);
            var after = await LedgerApi.ReviewAsync(client, "AST-2024-01", "R5 written after the poison event");
            after.IsSuccess.ShouldBeTrue(after.Body);
            var (stopped, health, reported) = await WaitUntilReportedAsync(client, poison, TimeSpan.FromSeconds(60));
            var (hwm, still) = await LedgerApi.ProjectionsAsync(client);
            // The sampler logs each stall once, when it sees it begin; projections stop at different moments, so wait for every one.
            var failure = $"event {poison} (review-decision-recorded) could not be applied";
            var log = await host.WaitForLogAsync(failure, lines: stopped.Count, timeout: TimeSpan.FromSeconds(30));
            var logged = stopped.Where(p => log.Split('\n').Any(l => l.Contains($"Projection {p.Name} is stopped at {p.Position} of ", StringComparison.Ordinal)
                                                                      && l.Contains(failure, StringComparison.Ordinal))).ToList();

            var healthNames = stopped.Count(p => health.Contains($"{p.Name} at {p.Position} of {hwm}, stopped at event {poison} (review-decision-recorded)", StringComparison.Ordinal));
            Figures.Report(output, "R5", $"{BurstStreams * EventsPerStream} events appended in {appended.TotalSeconds:F1} s, host killed with the daemon mid-way ({lagging}), " +
                $"restarted: caught up {caughtUp.TotalSeconds:F1} s later; rebuild proof over {proof.GetProperty("events").GetInt64()} events: " +
                $"{(proof.GetProperty("matches").GetBoolean() ? "every projection equals a rebuild" : "DIFFERENCES")}, Merkle tree {(verification.GetProperty("intact").GetBoolean() ? "intact" : "NOT intact")} " +
                $"({verification.GetProperty("treeLeavesCompared").GetInt64()} leaves for {events} events); poison event planted at sequence {poison}: " +
                $"{stopped.Count} projections stopped at {string.Join("/", stopped.Select(p => p.Position).Distinct())} with later events waiting (high-water mark {hwm}), " +
                $"named with the sequence by /api/projections ({stopped.Count(p => p.Failure is not null)}), /health ({healthNames}) and the log ({logged.Count})");

            proof.GetProperty("matches").GetBoolean().ShouldBeTrue(proof.ToString());
            verification.GetProperty("intact").GetBoolean().ShouldBeTrue(verification.ToString());
            verification.GetProperty("treeLeavesCompared").GetInt64().ShouldBe(events, "every event has exactly one leaf");
            stopped.ShouldNotBeEmpty();
            stopped.Select(p => p.Name).ShouldContain("dashboard-line");
            stopped.Select(p => p.Name).ShouldContain("activity-feed");
            reported.ShouldBeTrue("/api/projections names the failing projection and the poison's sequence");
            stopped.ShouldAllBe(p => p.Failure!.Value.GetProperty("eventType").GetString() == "review-decision-recorded");
            still.Where(p => stopped.Any(s => s.Name == p.Name)).ShouldAllBe(p => p.Position < poison, "a stopped projection never skips the poison event");
            hwm.ShouldBeGreaterThan(poison);
            healthNames.ShouldBe(stopped.Count, health);
            logged.Count.ShouldBe(stopped.Count, "the log names each stopped projection and the sequence");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Kills the host at the first moment the async daemon is past the burst's start but not at its end.</summary>
    private static async Task<(long HighWaterMark, string Lagging)> KillMidCatchUpAsync(LedgerProcess host, HttpClient client, long start)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (hwm, projections) = await LedgerApi.ProjectionsAsync(client);
            var async = projections.Where(p => p.Lifecycle == "async").ToList();
            if (hwm > start && async.Any(p => p.Position > start) && async.Any(p => p.Position < hwm))
            {
                host.Kill();
                return (hwm, $"positions {async.Min(p => p.Position)}–{async.Max(p => p.Position)} of {hwm}");
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("the daemon never was in the middle of the burst");
    }

    /// <summary>
    /// As the superuser, next to the last review decision of AST-2024-06, stores a copy whose rating is no rating:
    /// a known event type whose data breaks what every projection of it assumes. Returns its sequence.
    /// </summary>
    private static async Task<(long Sequence, string Stream)> PlantPoisonAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name)
            select nextval('ledger.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1,
                   jsonb_set(data, '{rating}', '"NoSuchRating"'), type, now(), tenant_id, mt_dotnet_type, 'r5-poison', 'r5-poison', headers, 'r5.poisoner'
            from ledger.mt_events where stream_id = 'AST-2024-06' and type = 'review-decision-recorded'
            order by version desc limit 1
            returning seq_id, stream_id
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue("AST-2024-06 has a review decision to copy");
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Waits until the projections that read the poison have stopped and say so; returns them, the health description, and whether the failure was named.</summary>
    private static async Task<(List<ProjectionView> Stopped, string Health, bool Reported)> WaitUntilReportedAsync(HttpClient client, long poison, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var stopped = new List<ProjectionView>();
        var health = string.Empty;
        while (watch.Elapsed < timeout)
        {
            var (_, projections) = await LedgerApi.ProjectionsAsync(client);
            stopped = [.. projections.Where(p => p.Status == "stalled")];
            var answer = await LedgerApi.GetAsync(client, "/health");
            health = answer.Status == HttpStatusCode.OK
                ? JsonDocument.Parse(answer.Body).RootElement.GetProperty("checks").GetProperty("projections").GetProperty("description").GetString() ?? string.Empty
                : answer.Body;
            // Done when every async projection has either passed the poison (lag 0: it does not read that event) or stopped at it.
            var named = stopped.Count > 0 && stopped.All(p => p.Failure is { } f && f.GetProperty("sequence").GetInt64() == poison);
            if (named && projections.Where(p => p.Lifecycle == "async").All(p => p.Lag == 0 || p.Status == "stalled"))
            {
                return (stopped, health, true);
            }

            await Task.Delay(250);
        }

        return (stopped, health, false);
    }
}
