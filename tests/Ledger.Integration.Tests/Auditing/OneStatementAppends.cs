using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Host.Writing;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

/// <summary>
/// The appender behind every write to an existing commitment: one statement that stores what Marten's session
/// would, which Marten reads back as its own, and which refuses to write on any state but the stream's current one.
/// </summary>
public sealed class OneStatementAppends(LedgerFixture fixture) : AuditTest(fixture)
{
    private CommitmentAppender Appender => Host.Services.GetRequiredService<CommitmentAppender>();

    private ReviewDecisionRecorded Review(string code, string remarks) => new(
        code, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, remarks, new LocalDate(2026, 7, 1),
        new Actor("secretariat.test", "UN"), Clock.GetCurrentInstant());

    private static AppendContext Context(string code) =>
        new("0123456789abcdef0123456789abcdef", "0123456789abcdef", new Dictionary<string, string> { ["request"] = $"POST /api/commitments/{code}/reviews" });

    [Fact]
    public async Task several_events_in_one_append_are_chained_in_order_read_back_by_marten_and_verify()
    {
        var (model, _) = await Appender.LoadAsync(LetterOfIntent, CancellationToken.None);
        model.ShouldNotBeNull();
        var before = model.Version;

        var (outcome, written) = await Appender.AppendAsync(
            model, [Review(LetterOfIntent, "first"), Review(LetterOfIntent, "second")], Context(LetterOfIntent), CancellationToken.None);

        outcome.ShouldBe(AppendOutcome.Written);
        written!.Version.ShouldBe(before + 2);
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(LetterOfIntent);
        events.Count.ShouldBe((int)before + 2);
        events[^2].Data.ShouldBeOfType<ReviewDecisionRecorded>().Remarks.ShouldBe("first");
        events[^1].Data.ShouldBeOfType<ReviewDecisionRecorded>().Remarks.ShouldBe("second");
        events[^1].Sequence.ShouldBeGreaterThan(events[^2].Sequence);
        events[^1].CorrelationId.ShouldBe("0123456789abcdef0123456789abcdef");
        events[^1].Headers!["request"].ToString().ShouldBe($"POST /api/commitments/{LetterOfIntent}/reviews");
        var view = await session.LoadAsync<CommitmentView>(LetterOfIntent);
        view!.Version.ShouldBe(before + 2);
        view.LatestReview!.Remarks.ShouldBe("second");
        var json = Store.Options.Serializer();
        json.ToJson(view).ShouldBe(json.ToJson(written.View), "the stored read model is the one the appender keeps");

        (await VerifyAsync()).Findings.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_kept_model_another_writer_moved_past_writes_nothing()
    {
        var (model, _) = await Appender.LoadAsync(LetterOfIntent, CancellationToken.None);
        (await Appender.AppendAsync(model!, [Review(LetterOfIntent, "moves it on")], Context(LetterOfIntent), CancellationToken.None))
            .Outcome.ShouldBe(AppendOutcome.Written);
        var events = await ScalarAsync("select count(*) from ledger.mt_events");

        var (outcome, written) = await Appender.AppendAsync(model!, [Review(LetterOfIntent, "on the old state")], Context(LetterOfIntent), CancellationToken.None);

        outcome.ShouldBe(AppendOutcome.StaleVersion);
        written.ShouldBeNull();
        (await ScalarAsync("select count(*) from ledger.mt_events")).ShouldBe(events);
        (await VerifyAsync()).Findings.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_model_of_another_history_at_the_same_version_writes_nothing()
    {
        // The same version, but not the append the stream was last advanced by: a history the database does not hold.
        var (model, _) = await Appender.LoadAsync(LetterOfIntent, CancellationToken.None);
        var foreign = model! with { AppendedAt = model.AppendedAt.AddTicks(-10) };
        var events = await ScalarAsync("select count(*) from ledger.mt_events");

        var (outcome, _) = await Appender.AppendAsync(foreign, [Review(LetterOfIntent, "on a foreign history")], Context(LetterOfIntent), CancellationToken.None);

        outcome.ShouldBe(AppendOutcome.StaleVersion);
        (await ScalarAsync("select count(*) from ledger.mt_events")).ShouldBe(events);
        (await ScalarAsync($"select version from ledger.mt_streams where id = '{LetterOfIntent}'")).ShouldBe(model.Version);
    }

    [Fact]
    public async Task an_unknown_commitment_has_no_write_model()
    {
        var (model, stamp) = await Appender.LoadAsync("AST-2024-99", CancellationToken.None);

        model.ShouldBeNull();
        stamp.ShouldNotBeNullOrEmpty();
    }
}
