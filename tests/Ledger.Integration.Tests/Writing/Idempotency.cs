using Ledger.Integration.Tests.Support;
using Marten;
using Shouldly;

namespace Ledger.Integration.Tests.Writing;

public sealed class Idempotency(LedgerFixture fixture) : WriteTest(fixture)
{
    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };

    [Fact]
    public async Task a_retry_with_the_same_key_returns_the_first_answer_and_records_nothing()
    {
        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("retry-1"));
        Clock.AdvanceMinutes(5);

        var retry = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("retry-1"));

        first.Status.ShouldBe(200, first.Body);
        retry.Status.ShouldBe(200);
        retry.Body.ShouldBe(first.Body);
        retry.Header("ETag").ShouldBe(first.Header("ETag"));
        retry.Header("Idempotent-Replayed").ShouldBe("true");
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Fact]
    public async Task the_answer_is_committed_with_the_events_and_the_key()
    {
        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("atomic-1"));

        // The key's record, read straight from the database, already holds the answer that was sent.
        await using var session = Store.QuerySession();
        var record = (await session.Query<Ledger.Host.Writing.Idempotency.IdempotentRequest>().ToListAsync()).Single(r => r.Key == "atomic-1");
        record.Response.ShouldNotBeNull();
        record.Response.Body.ShouldBe(first.Body);
        record.Response.StatusCode.ShouldBe(200);
        record.Response.ETag.ShouldBe(first.Header("ETag"));
    }

    [Fact]
    public async Task a_replayed_pledge_keeps_its_201_and_location()
    {
        var body = new { code = "AST-2024-10", meeting = "AST-2024", title = "Water data sharing", kind = "programme", leads = new[] { "FAO" } };
        var first = await Host.PostAsync("/api/commitments", body, Secretariat, Key("pledge-10"));
        var retry = await Host.PostAsync("/api/commitments", body, Secretariat, Key("pledge-10"));

        first.Status.ShouldBe(201, first.Body);
        retry.Status.ShouldBe(201);
        retry.Header("Location").ShouldBe("/api/commitments/AST-2024-10");
        retry.Body.ShouldBe(first.Body);
        (await Host.EventCountAsync()).ShouldBe(53);
    }

    [Fact]
    public async Task the_same_key_with_another_body_is_422_and_records_nothing()
    {
        await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("reuse"));

        var other = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "delayed", decision = "request-information" }, Secretariat, Key("reuse"));
        var otherRoute = await Host.PostAsync("/api/commitments/AST-2024-07/reviews", OnTrack, Secretariat, Key("reuse"));

        other.ShouldBeProblem(422).GetProperty("title").GetString()!.ShouldContain("Idempotency-Key");
        otherRoute.ShouldBeProblem(422);
        (await Host.EventCountAsync()).ShouldBe(53);
    }

    [Fact]
    public async Task keys_belong_to_their_caller()
    {
        var amina = Host.TokenFor("secretariat", user: "amina");
        var omar = Host.TokenFor("secretariat", user: "omar");

        var first = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, amina, Key("shared-key"));
        var second = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, omar, Key("shared-key"));

        first.Status.ShouldBe(200);
        second.Status.ShouldBe(200);
        second.Header("Idempotent-Replayed").ShouldBeNull();
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(3);
    }

    [Fact]
    public async Task concurrent_retries_of_one_key_record_exactly_once()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("burst"))));

        answers.ShouldAllBe(a => a.Status == 200 || a.Status == 409);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);

        var settled = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key("burst"));
        settled.Status.ShouldBe(200);
        settled.Header("Idempotent-Replayed").ShouldBe("true");
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(2);
    }

    [Fact]
    public async Task a_refused_request_is_not_remembered_so_a_corrected_retry_is_decided_afresh()
    {
        var refused = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "completed-verified", decision = "close" }, Secretariat, Key("fix-me"));
        refused.ShouldBeProblem(422);

        var again = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews",
            new { meeting = "AST-2024", rating = "completed-verified", decision = "close" }, Secretariat, Key("fix-me"));

        again.ShouldBeProblem(422);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(1);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("a-key-that-is-far-too-long-0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890")]
    public async Task an_unusable_key_is_a_400(string key)
    {
        var response = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/reviews", OnTrack, Secretariat, Key(key));

        response.ShouldBeProblem(400);
        (await Host.StreamLengthAsync(LetterOfIntent)).ShouldBe(1);
    }
}
