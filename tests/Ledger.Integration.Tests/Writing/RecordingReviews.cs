using Ledger.Domain.Commitments;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

public sealed class RecordingReviews(LedgerFixture fixture) : WriteTest(fixture)
{
    [Fact]
    public async Task a_review_decision_is_one_more_event_with_who_when_and_which_request()
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat,
            new Dictionary<string, string> { ["X-Correlation-Id"] = "review-session-42", ["Idempotency-Key"] = "astana-review-06" });

        response.Status.ShouldBe(200, response.Body);
        response.Header("ETag").ShouldBe("\"2\"");
        var correlation = response.Header("X-Correlation-Id");
        correlation.ShouldNotBe("review-session-42", "the ledger's correlation id is its own, never the caller's");
        correlation!.ShouldMatch("^[0-9a-f]{32}$");
        response.Json.GetProperty("version").GetInt64().ShouldBe(2);
        response.Json.GetProperty("events")[0].GetString().ShouldBe("review-decision-recorded");

        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(LetterOfIntent);
        events.Count.ShouldBe(2);
        var recorded = events[1];
        recorded.Data.ShouldBe(new ReviewDecisionRecorded(
            LetterOfIntent, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue,
            "Letter signed; first joint missions planned.", new NodaTime.LocalDate(2026, 7, 1),
            new Domain.Common.Actor("secretariat.tester", null), LedgerHost.Start));
        recorded.CorrelationId.ShouldBe(correlation);
        recorded.CausationId!.ShouldMatch("^[0-9a-f]{16}$");
        recorded.Headers!["callerReference"].ToString().ShouldBe("review-session-42");
        recorded.Headers["idempotencyKey"].ToString().ShouldBe("astana-review-06");
        recorded.UserName.ShouldBe("secretariat.tester");
        recorded.Timestamp.ShouldBe(LedgerHost.Start.ToDateTimeOffset());

        var view = await session.LoadAsync<CommitmentView>(LetterOfIntent);
        view!.LatestReview!.Rating.ShouldBe(ReviewRating.OnTrack);
        view.Version.ShouldBe(2);
    }

    [Fact]
    public async Task a_current_if_match_is_accepted_and_a_stale_one_is_a_409_that_records_nothing()
    {
        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat,
            new Dictionary<string, string> { ["If-Match"] = "\"1\"" });
        first.Status.ShouldBe(200, first.Body);

        var stale = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat,
            new Dictionary<string, string> { ["If-Match"] = "\"1\"" });

        stale.ShouldBeProblem(409).GetProperty("detail").GetString()!.ShouldContain("no longer at version 1");
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Fact]
    public async Task expected_version_in_the_body_works_like_if_match()
    {
        var stale = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "on-track", decision = "continue", expectedVersion = 5 }, Secretariat);
        stale.ShouldBeProblem(409);

        var current = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "on-track", decision = "continue", expectedVersion = 1 }, Secretariat);
        current.Status.ShouldBe(200, current.Body);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"three\"")]
    [InlineData("\"0\"")]
    public async Task a_malformed_if_match_is_a_400(string ifMatch)
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat,
            new Dictionary<string, string> { ["If-Match"] = ifMatch });

        response.ShouldBeProblem(400);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(1);
    }

    [Fact]
    public async Task an_unknown_commitment_is_a_404()
    {
        var response = await Host.PostAsync("/api/commitments/AST-2024-99/reviews", OnTrack, Secretariat);

        response.ShouldBeProblem(404);
        (await Host.EventCountAsync()).ShouldBe(52);
    }

    [Fact]
    public async Task two_writers_on_the_same_version_one_wins_and_the_other_gets_409()
    {
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"1\"" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, headers)));

        answers.Count(a => a.Status == 200).ShouldBe(1, string.Join("\n", answers.Select(a => a.Body)));
        answers.Where(a => a.Status != 200).ShouldAllBe(a => a.Status == 409);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Fact]
    public async Task concurrent_writers_without_a_version_never_lose_an_event_and_never_get_500()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat)));

        answers.ShouldAllBe(a => a.Status == 200 || a.Status == 409);
        var accepted = answers.Count(a => a.Status == 200);
        accepted.ShouldBeGreaterThan(0);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(1 + accepted);
        answers.Where(a => a.Status == 200).Select(a => a.Json.GetProperty("version").GetInt64()).Order()
            .ShouldBe(Enumerable.Range(2, accepted).Select(v => (long)v));
    }

    [Fact]
    public async Task the_state_after_a_withdrawal_is_final()
    {
        var withdrawn = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/withdrawal",
            new { reason = "Superseded by a memorandum of understanding.", effectiveOn = "2024-07-20" }, Secretariat);
        withdrawn.Status.ShouldBe(200, withdrawn.Body);
        withdrawn.Json.GetProperty("status").GetString().ShouldBe("withdrawn");

        var progress = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/progress",
            new { status = "in-progress", narrative = "Missions began.", asOf = "2024-07-24" }, Secretariat);

        progress.ShouldBeProblem(422).GetProperty("errors").GetProperty("status")[0].GetString()!.ShouldContain("withdrawn");
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Fact]
    public async Task carry_forward_amend_and_pledge_record_what_they_say()
    {
        var amended = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/amendments",
            new { reason = "Partner added after signature.", partners = new[] { "unrwa" }, dueDate = "2026-07-01" }, Secretariat);
        amended.Status.ShouldBe(200, amended.Body);

        var carried = await Host.PostAsync("/api/commitments/GVA-2022-2.3/carry-forward",
            new { toMeeting = "AST-2024", remarks = "Continued under the Astana matrix." }, Secretariat);
        carried.Status.ShouldBe(200, carried.Body);
        carried.Json.GetProperty("status").GetString().ShouldBe("carried-forward");

        var pledged = await Host.PostAsync("/api/commitments", new
        {
            code = "AST-2024-10",
            meeting = "AST-2024",
            title = "Joint food security data platform",
            kind = "programme",
            leads = new[] { "IOFS" },
            partners = new[] { "fao" },
            countries = new[] { "kaz", "TJK" },
            workingSession = 2,
            topic = "Information and Communication Technology",
            frameworks = new[] { "UN-2030" },
            dueDate = "2027-12-31",
        }, Secretariat);
        pledged.Status.ShouldBe(201, pledged.Body);
        pledged.Header("Location").ShouldBe("/api/commitments/AST-2024-10");
        pledged.Header("ETag").ShouldBe("\"1\"");

        var view = await Host.GetJsonAsync<CommitmentView>("/api/commitments/AST-2024-10");
        view.Partners.ShouldBe(["FAO"]);
        view.Countries.ShouldBe(["KAZ", "TJK"]);
        view.Basis.ShouldBe(Domain.Common.Basis.Recorded);
        (await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}")).Partners.ShouldBe(["UNRWA"]);

        var again = await Host.PostAsync("/api/commitments",
            new { code = "AST-2024-10", meeting = "AST-2024", title = "Duplicate", kind = "call", leads = new[] { "IOFS" } }, Secretariat);
        again.ShouldBeProblem(409);
        (await Host.StreamLengthAsync("AST-2024-10")).ShouldBe(1);
    }
}
