using Ledger.Browser.Tests.Support;
using Ledger.Domain.Commitments;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Forms;

/// <summary>A meeting's batch of review decisions on the meeting's page: all of them, or none.</summary>
public sealed class MeetingReviews(WritingFixture fixture, ITestOutputHelper output) : WritingTest(fixture, output)
{
    [Fact]
    public async Task The_batch_records_all_or_nothing_and_a_refused_row_shows_its_own_error()
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("secretariat"));
        await tab.GotoAsync("/meetings/GVA-2022");

        // One row per Geneva matrix line awaiting review, decided at Astana (the meeting that reviews Geneva).
        var form = new WriteForm(tab.Page, "batch-review-form");
        var rows = form.Root.Locator("tbody tr");
        (await rows.CountAsync()).ShouldBe(31);
        (await form.Labelled("Decided at").InputValueAsync()).ShouldBe("AST-2024");
        var first = form.Root.Locator("tr[data-code='GVA-2022-1.1']");
        var second = form.Root.Locator("tr[data-code='GVA-2022-1.2']");
        await first.GetByLabel("Rating for GVA-2022-1.1").SelectOptionAsync("delayed");
        await first.GetByLabel("Decision for GVA-2022-1.1").SelectOptionAsync("request-information");
        await first.GetByLabel("Remarks for GVA-2022-1.1").FillAsync("No report since Geneva.");
        // A matrix line that was never reported completed cannot be rated completed-verified.
        await second.GetByLabel("Rating for GVA-2022-1.2").SelectOptionAsync("completed-verified");
        await second.GetByLabel("Decision for GVA-2022-1.2").SelectOptionAsync("close");

        tab.Expect(422, "/api/meetings/AST-2024/reviews");
        (await form.SubmitAsync()).ShouldBe("422");

        // Nothing recorded, the first row included; the refused row says why, on its own field.
        (await Fixture.Host.EventsAsync("GVA-2022-1.1")).Count.ShouldBe(1);
        (await Fixture.Host.EventsAsync("GVA-2022-1.2")).Count.ShouldBe(1);
        (await second.GetAttributeAsync("class") ?? string.Empty).ShouldContain("row--invalid");
        (await TextOf(second.Locator("td[data-col='rating'] .field__error"))).ShouldContain("completed-verified needs a commitment reported completed");
        (await first.Locator(".field__error:not([hidden])").CountAsync()).ShouldBe(0);
        (await TextOf(form.Summary.Locator("li a"))).ShouldStartWith("GVA-2022-1.2 — Rating: completed-verified needs");
        await tab.ScreenshotAsync("form-batch-refused");

        // Corrected, the batch is recorded whole: both decisions, in one answer.
        await second.GetByLabel("Rating for GVA-2022-1.2").SelectOptionAsync("on-track");
        await second.GetByLabel("Decision for GVA-2022-1.2").SelectOptionAsync("continue");
        (await form.SubmitAsync()).ShouldBe("recorded");

        (await TextOf(form.Result)).ShouldBe("Recorded 2 review decisions at AST-2024, together: GVA-2022-1.1, GVA-2022-1.2.");
        ((ReviewDecisionRecorded)(await Fixture.Host.EventsAsync("GVA-2022-1.1"))[1].Data).Rating.ShouldBe(ReviewRating.Delayed);
        ((ReviewDecisionRecorded)(await Fixture.Host.EventsAsync("GVA-2022-1.2"))[1].Data).Meeting.ShouldBe("AST-2024");

        // The page read the meeting again: both left the form and the review queue.
        (await rows.CountAsync()).ShouldBe(29);
        (await form.Root.Locator("tr[data-code='GVA-2022-1.1']").CountAsync()).ShouldBe(0);
        (await TextOf(tab.Page.Locator("#review-queue .section__lead"))).ShouldBe("29 commitments of this meeting have no review decision yet.");
        await tab.ScreenshotAsync("form-batch-recorded");
        tab.ShouldHaveNoProblems();
    }
}
