using Ledger.Browser.Tests.Support;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Browser.Tests.Forms;

/// <summary>The progress form of a commitment's page, as the focal points of its lead organizations use it.</summary>
public sealed class ProgressReports(WritingFixture fixture, ITestOutputHelper output) : WritingTest(fixture, output)
{
    // FAO co-leads the IOFS-FAO Letter of Intent; IOFS alone leads the food security reserve.
    private const string FaosCommitment = "AST-2024-06";
    private const string IofsCommitment = "AST-2024-02";

    [Fact]
    public async Task A_focal_point_reports_on_its_own_organizations_commitment_and_the_inferred_status_mark_goes()
    {
        var fao = Fixture.Host.TokenFor("focal-point", "FAO");
        await using var tab = await OpenAsync(fao);
        await tab.GotoAsync($"/commitments/{FaosCommitment}");

        // Who is signed in, with what role and organization.
        var who = tab.Page.Locator(".access__who");
        (await TextOf(who.Locator(".access__user"))).ShouldBe(LedgerWebHost.UserFor("focal-point", "FAO"));
        (await TextOf(who.Locator(".access__role"))).ShouldBe("Focal point");
        (await TextOf(who.Locator(".access__org"))).ShouldBe("FAO");

        // Before: agreed, and the status is the ledger's reading of the article.
        (await tab.Page.Locator(".page-header__badges .inferred-mark").CountAsync()).ShouldBe(1);
        (await tab.Page.Locator("#inferred [data-field='status']").CountAsync()).ShouldBe(1);

        // A focal point gets the progress form, not the secretariat's review form.
        var form = new WriteForm(tab.Page, "progress-form");
        (await tab.Page.Locator("#review-form").CountAsync()).ShouldBe(0);
        (await form.Labelled("Status").EvaluateAsync<string[]>("s => [...s.options].map(o => o.value)"))
            .ShouldBe(["agreed", "in-progress", "completed", "suspended"]);
        (await form.Labelled("As of").InputValueAsync()).ShouldBe("2024-07-25", "the ledger's today, not the browser's");

        // The ledger's refusals, field by field, with links from the summary to the fields.
        await form.Labelled("Status").SelectOptionAsync("in-progress");
        await form.Labelled("Percent complete").FillAsync("150");
        tab.Expect(400, $"/api/commitments/{FaosCommitment}/progress");
        (await form.SubmitAsync()).ShouldBe("400");
        (await TextOf(form.Error("narrative"))).ShouldContain("required");
        (await TextOf(form.Error("percentComplete"))).ShouldContain("between 0 and 100");
        (await form.Labelled("What happened").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        (await form.Summary.Locator("li a").AllTextContentsAsync()).Count.ShouldBe(2);
        await form.Summary.Locator("li a", new() { HasText = "Percent complete" }).ClickAsync();
        (await form.Labelled("Percent complete").EvaluateAsync<bool>("c => c === document.activeElement")).ShouldBeTrue();
        await tab.ScreenshotAsync("form-progress-refused");
        (await Fixture.Host.EventsAsync(FaosCommitment)).Count.ShouldBe(1);

        await form.Labelled("What happened").FillAsync("Joint missions to Chad and Tajikistan started.");
        await form.Labelled("Percent complete").FillAsync("10");
        await form.Labelled("Indicator").FillAsync("Countries with joint missions");
        await form.Labelled("Measure").SelectOptionAsync("unit");
        await form.Labelled("Target").FillAsync("9");
        await form.Labelled("Actual").FillAsync("2");
        (await form.SubmitAsync()).ShouldBe("recorded");

        (await TextOf(form.Result)).ShouldStartWith($"Recorded: progress reported on {FaosCommitment}, now at version 2");
        var events = await Fixture.Host.EventsAsync(FaosCommitment);
        events.Count.ShouldBe(2);
        var report = events[1].Data.ShouldBeOfType<ProgressReported>();
        report.Status.ShouldBe(CommitmentStatus.InProgress);
        report.RecordedBy.Organization.ShouldBe("FAO");
        report.Indicators.ShouldBe([
            ProgressIndicators.FromPercentComplete(10),
            new ProgressIndicator("Countries with joint missions", IndicatorMeasure.Unit, Baseline: null, Target: 9, Actual: 2, Comment: null)]);

        // The page read the commitment again: in progress, reported by FAO, and no longer "inferred".
        (await TextOf(tab.Page.Locator(".page-header__badges .badge"))).ShouldBe("In progress");
        (await tab.Page.Locator(".page-header__badges .inferred-mark").CountAsync()).ShouldBe(0);
        (await tab.Page.Locator("#facts .inferred-mark").CountAsync()).ShouldBe(0);
        (await tab.Page.Locator("#inferred").CountAsync()).ShouldBe(0);
        (await TextOf(tab.Page.Locator("#timeline .timeline__entry", new() { HasText = "Progress reported" })))
            .ShouldContain("Joint missions to Chad and Tajikistan started.");
        (await TextOf(tab.Page.Locator("#timeline .timeline__indicators li"))).ShouldBe("Countries with joint missions: 2 (target 9)");
        await tab.ScreenshotAsync("form-progress-recorded");
        tab.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task A_focal_point_gets_no_form_on_another_organizations_commitment_and_a_forced_report_is_refused_with_the_reason()
    {
        await using var tab = await OpenAsync(Fixture.Host.TokenFor("focal-point", "FAO"));
        await tab.GotoAsync($"/commitments/{IofsCommitment}");

        (await tab.Page.Locator("#main form").CountAsync()).ShouldBe(0);
        (await TextOf(tab.Page.Locator("#record .notice"))).ShouldBe(
            $"You are signed in as a focal point of FAO. {IofsCommitment} is led by IOFS: only their focal points, or the secretariat, may report progress on it.");

        // Forced: the form of a commitment FAO leads, sent with the token of another organization's focal
        // point (the tab's token replaced behind the page's back). The ledger refuses it and the form says why.
        await tab.GotoAsync($"/commitments/{FaosCommitment}");
        var before = (await Fixture.Host.EventsAsync(FaosCommitment)).Count;
        var form = new WriteForm(tab.Page, "progress-form");
        await form.Labelled("What happened").FillAsync("A report FAO's focal point may not make for UNRWA.");
        await tab.Page.EvaluateAsync("token => sessionStorage.setItem('ledger.token', token)", Fixture.Host.TokenFor("focal-point", "UNRWA"));
        tab.Expect(403, $"/api/commitments/{FaosCommitment}/progress");

        (await form.SubmitAsync()).ShouldBe("403");

        (await TextOf(form.Summary.Locator(".error-summary__title"))).ShouldBe("The ledger refused this: you may not record it");
        (await TextOf(form.Summary)).ShouldContain($"{FaosCommitment} is led by IOFS and FAO; a focal point of UNRWA cannot report on it.");
        (await TextOf(form.Summary)).ShouldContain("Nothing was recorded.");
        (await form.Summary.EvaluateAsync<bool>("s => s === document.activeElement")).ShouldBeTrue("the summary takes the focus");
        (await Fixture.Host.EventsAsync(FaosCommitment)).Count.ShouldBe(before);
        await tab.ScreenshotAsync("form-progress-forbidden");
        tab.ShouldHaveNoProblems();
    }
}
