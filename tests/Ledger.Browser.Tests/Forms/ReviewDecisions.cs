using Ledger.Browser.Tests.Support;
using Ledger.Domain.Commitments;
using Microsoft.Playwright;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Forms;

/// <summary>The secretariat's review form on a commitment's page: recorded once, never over someone else's change.</summary>
public sealed class ReviewDecisions(WritingFixture fixture, ITestOutputHelper output) : WritingTest(fixture, output)
{
    [Fact]
    public async Task A_review_decision_recorded_through_the_page_appears_in_the_timeline_and_the_history()
    {
        const string Code = "AST-2024-05";
        await using (var secretariat = await OpenAsync(Fixture.Host.TokenFor("secretariat")))
        {
            await secretariat.GotoAsync($"/commitments/{Code}");
            var form = new WriteForm(secretariat.Page, "review-form");
            (await form.Labelled("Decided at").InputValueAsync()).ShouldBe("AST-2024");
            (await form.Root.GetByRole(AriaRole.Group, new() { Name = "Rating" }).GetByRole(AriaRole.Radio).EvaluateAllAsync<string[]>("rs => rs.map(r => r.value)"))
                .ShouldBe(["on-track", "delayed", "not-started", "completed-verified"]);
            await form.Choice("Rating", "Delayed").CheckAsync();
            await form.Choice("Decision", "Request information").CheckAsync();
            await form.Labelled("Remarks").FillAsync("No report since Astana; ask IOFS for the reserve's status.");
            await form.Labelled("Next review due").FillAsync("2025-01-15");

            (await form.SubmitAsync()).ShouldBe("recorded");

            (await TextOf(form.Result)).ShouldStartWith($"Recorded: review decision recorded on {Code}, now at version 2");
            var entry = secretariat.Page.Locator("#timeline .timeline__entry", new() { HasText = "Review at AST-2024" });
            (await TextOf(entry.Locator(".timeline__title"))).ShouldBe("Review at AST-2024: delayed, request information");
            (await TextOf(entry.Locator(".timeline__body"))).ShouldBe("No report since Astana; ask IOFS for the reserve's status. Next review due 15 January 2025.");
            (await TextOf(entry.Locator(".timeline__by"))).ShouldBe($"Decided by {LedgerWebHost.UserFor("secretariat")}");
            (await form.Choice("Rating", "Delayed").IsCheckedAsync()).ShouldBeFalse("the form is cleared for the next decision");
            await secretariat.ScreenshotAsync("form-review-recorded");
            secretariat.ShouldHaveNoProblems();
        }

        // An auditor reads the event in the history, exactly once, with who recorded it; and gets no form.
        await using var auditor = await OpenAsync(Fixture.Host.TokenFor("auditor"));
        await auditor.GotoAsync($"/commitments/{Code}");
        var rows = auditor.Page.Locator("#history tbody tr");
        (await rows.Locator("td:nth-child(3)").AllTextContentsAsync()).ShouldBe(["Commitment pledged", "Review decision recorded"]);
        (await TextOf(rows.Nth(1).Locator("td:nth-child(6)"))).ShouldBe(LedgerWebHost.UserFor("secretariat"));
        (await auditor.Page.Locator("#main form").CountAsync()).ShouldBe(0);
        auditor.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_double_submission_records_once()
    {
        const string Code = "AST-2024-03";
        var path = $"/api/commitments/{Code}/reviews";
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("secretariat"));
        var sent = new List<string?>();
        tab.Page.Request += (_, request) =>
        {
            if (request.Method == "POST" && new Uri(request.Url).AbsolutePath == path)
            {
                lock (sent)
                {
                    sent.Add(request.Headers.GetValueOrDefault("idempotency-key"));
                }
            }
        };
        await tab.GotoAsync($"/commitments/{Code}");
        var form = new WriteForm(tab.Page, "review-form");

        // A double click: the button is disabled while the first request is on its way; one request, one event.
        await form.Choice("Rating", "On track").CheckAsync();
        await form.Choice("Decision", "Continue").CheckAsync();
        (await form.SubmitAsync(() => form.Button.DblClickAsync())).ShouldBe("recorded");
        sent.Count.ShouldBe(1);
        (await Fixture.Host.EventsAsync(Code)).Count.ShouldBe(2);

        // The answer to the next submission is lost on the way back (the ledger recorded it): the form says
        // it may or may not be recorded. Sent again, it carries the same Idempotency-Key: the ledger answers
        // with its first answer and records nothing more.
        var lost = 0;
        await tab.Page.RouteAsync($"**{path}", async route =>
        {
            if (Interlocked.Increment(ref lost) == 1)
            {
                await route.FetchAsync();
                await route.AbortAsync();
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        tab.ExpectFailedRequest(path);
        await form.Choice("Rating", "Delayed").CheckAsync();
        await form.Choice("Decision", "Continue").CheckAsync();
        await form.Labelled("Remarks").FillAsync("Slower than planned.");
        (await form.SubmitAsync()).ShouldBe("0");
        (await TextOf(form.Summary.Locator(".error-summary__title"))).ShouldBe("No answer from the ledger");
        (await TextOf(form.Summary)).ShouldContain("the same Idempotency-Key");
        (await Fixture.Host.EventsAsync(Code)).Count.ShouldBe(3, "the ledger recorded the submission whose answer was lost");

        (await form.SubmitAsync()).ShouldBe("replayed");
        (await TextOf(form.Result)).ShouldStartWith("Already recorded");
        sent.Count.ShouldBe(3);
        sent[2].ShouldBe(sent[1], "a resend carries its submission's key");
        sent[1].ShouldNotBe(sent[0], "a new submission gets a new key");
        var events = await Fixture.Host.EventsAsync(Code);
        events.Count.ShouldBe(3);
        events.Skip(1).Select(e => ((ReviewDecisionRecorded)e.Data).Rating).ShouldBe([ReviewRating.OnTrack, ReviewRating.Delayed]);
        Output.WriteLine($"requests sent: {sent.Count}, Idempotency-Keys: {string.Join(", ", sent)}; events recorded: {events.Count - 1}");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_stale_page_gets_the_conflict_explained_and_loads_the_current_version_keeping_what_was_typed()
    {
        const string Code = "AST-2024-04";
        var token = Fixture.Host.TokenFor("secretariat");
        await using var tab = await OpenAsync(token);
        await tab.GotoAsync($"/commitments/{Code}");
        var form = new WriteForm(tab.Page, "review-form");
        await form.Choice("Rating", "Not started").CheckAsync();
        await form.Choice("Decision", "Request information").CheckAsync();
        await form.Labelled("Remarks").FillAsync("Typed before someone else's change.");

        // Another officer records a decision after this page was read (version 1).
        using (var behind = await Fixture.Host.PostAsync($"/api/commitments/{Code}/reviews",
                   """{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":"Recorded behind the page's back."}""", token, ifMatch: 1))
        {
            behind.IsSuccessStatusCode.ShouldBeTrue(await behind.Content.ReadAsStringAsync());
        }

        tab.Expect(409, $"/api/commitments/{Code}/reviews");
        (await form.SubmitAsync()).ShouldBe("409");

        (await TextOf(form.Conflict.Locator(".conflict__title"))).ShouldBe("This commitment changed after this page was read");
        (await TextOf(form.Conflict)).ShouldContain("The page showed version 1; someone has recorded a change since. Nothing of yours was recorded.");
        (await TextOf(form.Conflict)).ShouldContain($"Commitment {Code} is no longer at version 1");
        await tab.ScreenshotAsync("form-review-stale");
        (await Fixture.Host.EventsAsync(Code)).Count.ShouldBe(2);

        await form.Conflict.Locator("[data-action='reload']").ClickAsync();
        var outcome = form.Conflict.Locator(".conflict__outcome");
        await outcome.Filter(new() { HasText = "Loaded version 2" }).WaitForAsync();
        (await TextOf(outcome)).ShouldContain($"by {LedgerWebHost.UserFor("secretariat")}");
        (await TextOf(tab.Page.Locator("#timeline"))).ShouldContain("Recorded behind the page's back.");
        (await form.Labelled("Remarks").InputValueAsync()).ShouldBe("Typed before someone else's change.");
        (await form.Choice("Rating", "Not started").IsCheckedAsync()).ShouldBeTrue();

        (await form.SubmitAsync()).ShouldBe("recorded");
        (await TextOf(form.Result)).ShouldStartWith($"Recorded: review decision recorded on {Code}, now at version 3");
        var events = await Fixture.Host.EventsAsync(Code);
        events.Select(e => e.Data.GetType().Name).ShouldBe(["CommitmentPledged", "ReviewDecisionRecorded", "ReviewDecisionRecorded"]);
        ((ReviewDecisionRecorded)events[2].Data).Remarks.ShouldBe("Typed before someone else's change.");
        tab.ShouldHaveNoProblems();
    }
}
