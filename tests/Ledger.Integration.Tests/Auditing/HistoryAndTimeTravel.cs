using System.Text.Json;
using Alba;
using Ledger.Domain.Audit;
using Ledger.Domain.Commitments;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Shouldly;

namespace Ledger.Integration.Tests.Auditing;

public sealed class HistoryAndTimeTravel(LedgerFixture fixture) : AuditTest(fixture)
{
    private async Task<JsonElement> GetAsAuditorAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
            s.StatusCodeShouldBe(status);
        });
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
    }

    [Fact]
    public async Task history_lists_every_event_in_order_with_its_metadata_and_chained_hashes()
    {
        Clock.AdvanceHours(2);
        var write = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/progress",
            new { status = "in-progress", narrative = "Joint missions started in Chad.", asOf = "2024-07-24", percentComplete = 10 },
            FocalPoint("FAO"), new Dictionary<string, string> { ["X-Correlation-Id"] = "fao-report-1" });
        write.Status.ShouldBe(200, write.Body);

        var history = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}/history");

        var events = history.GetProperty("events").EnumerateArray().ToList();
        events.Select(e => e.GetProperty("type").GetString()).ShouldBe(["commitment-pledged", "progress-reported-v2"]);
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2L]);
        events[0].GetProperty("effectiveAt").GetProperty("date").GetString().ShouldBe("2024-07-22");
        var report = events[1];
        report.GetProperty("recordedAt").GetString().ShouldBe("2024-07-25T08:00:00.000000Z");
        report.GetProperty("effectiveAt").GetProperty("date").GetString().ShouldBe("2024-07-24");
        report.GetProperty("user").GetString().ShouldBe("focal-point.tester");
        report.GetProperty("organization").GetString().ShouldBe("FAO");
        report.GetProperty("callerReference").GetString().ShouldBe("fao-report-1");
        report.GetProperty("correlationId").GetString().ShouldBe(write.Header("X-Correlation-Id"));
        report.GetProperty("data").GetProperty("narrative").GetString().ShouldBe("Joint missions started in Chad.");

        // Each hash recomputes from the previous one and the stored row.
        var previous = EventHash.Genesis;
        foreach (var e in events)
        {
            var expected = EventHash.Compute(previous, LetterOfIntent, e.GetProperty("version").GetInt64(), e.GetProperty("type").GetString()!,
                DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                CanonicalJson.Canonicalize(e.GetProperty("data").GetRawText()));
            e.GetProperty("hash").GetString().ShouldBe(expected);
            previous = expected;
        }
    }

    [Fact]
    public async Task history_and_past_states_are_for_auditors_only()
    {
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}/history");
            s.StatusCodeShouldBe(401);
        });
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}/history");
            s.WithRequestHeader("Authorization", "Bearer " + Viewer);
            s.StatusCodeShouldBe(403);
        });
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}?version=1");
            s.StatusCodeShouldBe(401);
        });
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}?asOf=2024-07-25T07:00:00Z");
            s.WithRequestHeader("Authorization", "Bearer " + Secretariat);
            s.StatusCodeShouldBe(403);
        });
    }

    [Fact]
    public async Task as_of_an_instant_before_a_review_the_commitment_is_as_it_was_then()
    {
        var beforeReview = LedgerHost.Start.Plus(NodaTime.Duration.FromMinutes(30));
        Clock.AdvanceHours(1);
        await ReviewAsync(LetterOfIntent);

        var then = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}?asOf={beforeReview}");
        var now = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}");
        var atVersion1 = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}?version=1");

        then.GetProperty("latestReview").ValueKind.ShouldBe(JsonValueKind.Null);
        then.GetProperty("version").GetInt64().ShouldBe(1);
        atVersion1.ToString().ShouldBe(then.ToString());
        now.GetProperty("latestReview").GetProperty("rating").GetString().ShouldBe("on-track");
        await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}?asOf=2024-07-01T00:00:00Z", 404);
    }

    [Fact]
    public async Task effective_on_a_business_date_uses_everything_recorded_since_about_that_date()
    {
        // Recorded later, a report says the commitment was in progress from 1 August 2024.
        Clock.AdvanceDays(30);
        var write = await Host.PostAsync($"/api/commitments/{LetterOfIntent}/progress",
            new { status = "in-progress", narrative = "Missions under way since 1 August.", asOf = "2024-08-01" }, Secretariat);
        write.Status.ShouldBe(200, write.Body);

        var onJuly30 = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}?effectiveOn=2024-07-30");
        var onAugust2 = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}?effectiveOn=2024-08-02");
        var recordedBeforeTheReport = await GetAsAuditorAsync(
            $"/api/commitments/{LetterOfIntent}?effectiveOn=2024-08-02&asOf={LedgerHost.Start.Plus(NodaTime.Duration.FromDays(1))}");

        onJuly30.GetProperty("status").GetString().ShouldBe("agreed");
        onAugust2.GetProperty("status").GetString().ShouldBe("in-progress");
        recordedBeforeTheReport.GetProperty("status").GetString().ShouldBe("agreed");
    }

    [Theory]
    [InlineData("?asOf=yesterday", "asOf")]
    [InlineData("?effectiveOn=2024-13-01", "effectiveOn")]
    [InlineData("?version=0", "version")]
    public async Task bad_time_travel_parameters_are_400(string query, string parameter)
    {
        var problem = await GetAsAuditorAsync($"/api/commitments/{LetterOfIntent}{query}", 400);

        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task the_ledger_feed_pages_through_every_event_in_global_order()
    {
        var first = await GetAsAuditorAsync("/api/ledger/events?limit=20");
        var next = first.GetProperty("next").GetInt64();
        var second = await GetAsAuditorAsync($"/api/ledger/events?after={next}&limit=40");

        var all = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        all.Count.ShouldBe(52);
        all.ShouldBe(all.Order().ToList());
        second.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task the_read_model_of_a_past_version_equals_the_live_one_at_that_version()
    {
        await ReviewAsync(LetterOfIntent);
        var live = await Host.GetJsonAsync<CommitmentView>($"/api/commitments/{LetterOfIntent}");

        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/commitments/{LetterOfIntent}?version=2");
            s.WithRequestHeader("Authorization", "Bearer " + AuditorToken);
        });
        var replayed = JsonSerializer.Deserialize<CommitmentView>(await result.ReadAsTextAsync(), Ledger.Host.Hosting.ApiJson.Options)!;

        replayed.ShouldBeEquivalentTo(live);
        replayed.LatestReview!.Rating.ShouldBe(ReviewRating.OnTrack);
    }
}
