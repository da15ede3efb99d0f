using System.Text.Json;
using Alba;
using JasperFx.Events;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Host.Hosting;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Marten;
using NodaTime;
using NodaTime.Text;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>
/// A state as of an instant or a version starts from the nearest checkpoint (<see cref="CommitmentCheckpoint"/>)
/// and must be exactly the fold of every event up to there: checked at every version of a stream long enough to
/// have several checkpoints, against the whole stream folded from its first event, at the runs' edges included.
/// </summary>
public sealed class CheckpointedTimeTravel(LedgerFixture fixture) : AuditTest(fixture)
{
    private static readonly Actor Officer = new("sec.officer", "UN");

    [Fact]
    public async Task every_past_state_from_a_checkpoint_equals_the_fold_of_the_whole_stream()
    {
        await AppendAsync(2 * CommitmentCheckpoint.Every + 11, i => i % 3 == 0
            ? new ReviewDecisionRecorded(LetterOfIntent, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, $"Review {i}.", null, Officer, Clock.GetCurrentInstant())
            : new ProgressReported(LetterOfIntent, CommitmentStatus.InProgress, $"Report {i}.", [ProgressIndicators.FromPercentComplete(i % 100)], FactDate.Day(new LocalDate(2024, 8, 1)), null, Officer, Clock.GetCurrentInstant()));

        await TreeCaughtUpAsync();
        await using var query = Store.QuerySession();
        var all = await query.Events.FetchStreamAsync(LetterOfIntent);
        var checkpoints = await query.Query<CommitmentCheckpoint>().Where(c => c.Stream == LetterOfIntent).ToListAsync();
        // Two completed runs; the third, still filling, has no checkpoint: its states are read from its events.
        checkpoints.Select(c => c.Version).Order().ShouldBe([CommitmentCheckpoint.Every, 2L * CommitmentCheckpoint.Every]);

        foreach (var e in all)
        {
            string Fold(Func<IEvent, bool> included) =>
                JsonSerializer.Serialize(CommitmentReplay.Replay(all.Where(included).Select(x => (x.Version, x.Data))), ApiJson.Options);

            var atVersion = await GetAsync($"/api/commitments/{LetterOfIntent}?version={e.Version}");
            var asOf = await GetAsync($"/api/commitments/{LetterOfIntent}?asOf={InstantPattern.ExtendedIso.Format(Instant.FromDateTimeOffset(e.Timestamp))}");
            atVersion.ShouldBe(Fold(x => x.Version <= e.Version), $"version {e.Version}");
            asOf.ShouldBe(Fold(x => x.Timestamp <= e.Timestamp), $"as of version {e.Version}'s instant");
        }
    }

    [Fact]
    public async Task a_board_as_of_an_instant_from_checkpoints_equals_the_replay_of_every_event_recorded_by_then()
    {
        const int reports = CommitmentCheckpoint.Every + 20;
        await AppendAsync(reports, i => i % 4 == 0
            ? new ReviewDecisionRecorded(LetterOfIntent, "AST-2024", ReviewRating.Delayed, ReviewOutcome.Continue, $"Review {i}.", null, Officer, Clock.GetCurrentInstant())
            : new ProgressReported(LetterOfIntent, i == reports ? CommitmentStatus.Completed : CommitmentStatus.InProgress, $"Report {i}.", [ProgressIndicators.FromPercentComplete(i % 100)],
                FactDate.Day(new LocalDate(2024, 8, 1)), null, Officer, Clock.GetCurrentInstant()));

        await TreeCaughtUpAsync();
        await using var query = Store.QuerySession();
        var all = await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        var ours = all.Where(e => e.StreamKey == LetterOfIntent).ToList();
        foreach (var e in ours.Where((_, i) => i % 7 == 0 || i == ours.Count - 1))
        {
            var instant = Instant.FromDateTimeOffset(e.Timestamp);
            var replay = new Ledger.Projections.Dashboards.DashboardReplay();
            foreach (var each in all.Where(x => x.Timestamp <= e.Timestamp))
            {
                replay.Apply(each);
            }

            var board = replay.Build().Boards["AST-2024"];
            var expected = JsonSerializer.SerializeToNode(
                Ledger.Host.Dashboards.DashboardViews.Board(board, board.Meeting!, instant.InUtc().Date, instant, null!), ApiJson.Options)!.AsObject();
            var answer = System.Text.Json.Nodes.JsonNode.Parse(await GetAsync($"/api/dashboard/meetings/AST-2024?asOf={InstantPattern.ExtendedIso.Format(instant)}"))!.AsObject();
            expected.Remove("freshness");
            answer.Remove("freshness");
            answer.ToJsonString().ShouldBe(expected.ToJsonString(), $"as of version {e.Version}'s instant");
        }
    }

    [Fact]
    public async Task a_projection_that_kept_nothing_continues_a_stream_from_its_stored_checkpoint_and_events()
    {
        // A second host taking over the projection (or a restarted one) has no state in memory: a page that starts in
        // the middle of a run must start from the last completed run's checkpoint and the stored events after it.
        await AppendAsync(2 * CommitmentCheckpoint.Every + 30, i => new ProgressReported(LetterOfIntent, CommitmentStatus.InProgress, $"Report {i}.",
            [ProgressIndicators.FromPercentComplete(i % 100)], FactDate.Day(new LocalDate(2024, 8, 1)), null, Officer, Clock.GetCurrentInstant()));

        await TreeCaughtUpAsync();
        await using var query = Store.QuerySession();
        var all = await query.Events.FetchStreamAsync(LetterOfIntent);
        var expected = new List<CommitmentCheckpoint>();
        CommitmentCheckpointProjection.Fold(LetterOfIntent, CommitmentCheckpointProjection.Empty, all, expected.Add);
        expected.Count.ShouldBe(all.Count / CommitmentCheckpoint.Every);

        // The last completed run's checkpoint is removed, so the fresh instance, starting seven events before it, must
        // begin from the run before (its stored checkpoint and the stored events after it) and store the removed one again.
        await TamperAsync($"delete from ledger.mt_doc_commitmentcheckpoint where id = '{CommitmentCheckpoint.IdOf(LetterOfIntent, expected[^1].Version)}'");
        var cut = expected[^1].Version - 7;
        await using (var session = Store.LightweightSession())
        {
            await new CommitmentCheckpointProjection().ApplyAsync(session, all.Where(e => e.Version > cut).ToList(), CancellationToken.None);
            await session.SaveChangesAsync();
        }

        await using var after = Store.QuerySession();
        var stored = await after.Query<CommitmentCheckpoint>().Where(c => c.Stream == LetterOfIntent).OrderBy(c => c.Id).ToListAsync();
        JsonSerializer.Serialize(stored, ApiJson.Options).ShouldBe(JsonSerializer.Serialize(expected, ApiJson.Options));
    }

    /// <summary>Appends <paramref name="count"/> events to the Letter of Intent, one write each, a minute apart.</summary>
    private async Task AppendAsync(int count, Func<int, object> eventNumber)
    {
        for (var i = 1; i <= count; i++)
        {
            await using var session = Store.LightweightSession();
            var stream = await session.FetchCommitmentForWritingAsync(LetterOfIntent, null, CancellationToken.None);
            stream.AppendOne(eventNumber(i));
            await session.SaveChangesAsync();
            Clock.AdvanceMinutes(1);
        }
    }

    private async Task<string> GetAsync(string url)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
            s.StatusCodeShouldBe(200);
        });
        return await result.ReadAsTextAsync();
    }
}
