using System.Text.Json;
using Ledger.Host.Hosting;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Ledger.Integration.Tests.Writing;
using Marten;
using Marten.Events;
using Shouldly;

namespace Ledger.Integration.Tests.Commitments;

/// <summary>
/// The "inferred" readings of the commitment read model: a value recorded later (a status reported by
/// a lead organization or the secretariat, withdrawn or carried forward; an amended field) is no longer
/// the ledger's reading, in the projection itself, so the live read model, its past states and a rebuild agree.
/// </summary>
public sealed class InferredReadings(LedgerFixture fixture) : WriteTest(fixture)
{
    private static readonly object Report = new { status = "in-progress", narrative = "Joint missions started.", asOf = "2024-07-24" };

    private async Task<Dictionary<string, string>> InferredAsync(string url, string? token = null)
    {
        var response = await Host.GetAsync(url, token);
        response.Status.ShouldBe(200, response.Body);
        return response.Json.GetProperty("inferred").Deserialize<Dictionary<string, string>>()!;
    }

    [Fact]
    public async Task a_status_reported_by_a_lead_organization_is_no_longer_inferred_and_the_other_readings_stay()
    {
        (await InferredAsync("/api/commitments/AST-2024-08")).Keys.ShouldBe(["workingSession", "status"], ignoreOrder: true);

        var response = await Host.PostAsync("/api/commitments/AST-2024-08/progress",
            new { status = "in-progress", narrative = "Deliveries reached Gaza.", asOf = "2024-07-24" }, FocalPoint("UNRWA"));
        response.Status.ShouldBe(200, response.Body);

        (await InferredAsync("/api/commitments/AST-2024-08")).Keys.ShouldBe(["workingSession"]);

        // Time travel replays the same projection: inferred before the report, recorded after it.
        (await InferredAsync("/api/commitments/AST-2024-08?version=2", Auditor)).Keys.ShouldContain("status");
        (await InferredAsync("/api/commitments/AST-2024-08?version=3", Auditor)).Keys.ShouldBe(["workingSession"]);
    }

    [Fact]
    public async Task a_status_read_from_the_source_stays_inferred_even_as_a_progress_report()
    {
        // AST-2024-07's import records the article's "successes" as a progress report that carries the
        // source's statement: the in-progress status is still the ledger's reading.
        (await InferredAsync("/api/commitments/AST-2024-07")).Keys.ShouldContain("status");
    }

    [Fact]
    public async Task the_secretariats_report_withdrawal_carry_forward_and_amendments_are_recorded_values_too()
    {
        (await Host.PostAsync($"/api/commitments/{LetterOfIntent}/progress", Report, Secretariat)).Status.ShouldBe(200);
        (await InferredAsync($"/api/commitments/{LetterOfIntent}")).ShouldBeEmpty();

        (await Host.PostAsync("/api/commitments/GVA-2022-1.1/amendments",
            new { reason = "The matrix names its line.", title = "Cooperation on political consultations" }, Secretariat)).Status.ShouldBe(200);
        (await InferredAsync("/api/commitments/GVA-2022-1.1")).Keys.ShouldBe(["status", "leads"], ignoreOrder: true);
        (await Host.PostAsync("/api/commitments/GVA-2022-1.1/carry-forward", new { toMeeting = "AST-2024" }, Secretariat)).Status.ShouldBe(200);
        (await InferredAsync("/api/commitments/GVA-2022-1.1")).Keys.ShouldBe(["leads"]);

        (await Host.PostAsync("/api/commitments/GVA-2022-1.2/withdrawal", new { reason = "Superseded." }, Secretariat)).Status.ShouldBe(200);
        (await InferredAsync("/api/commitments/GVA-2022-1.2")).Keys.ShouldBe(["title", "leads"], ignoreOrder: true);

        // A rebuild of the read models from the events gives exactly what is stored.
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var verify = await Host.PostAsync("/api/projections/verify", null, Auditor);
        verify.Status.ShouldBe(200, verify.Body);
        var report = JsonSerializer.Deserialize<VerificationReport>(verify.Body, ApiJson.Options)!;
        report.Differences.ShouldBeEmpty();
        report.Matches.ShouldBeTrue();
    }
}
