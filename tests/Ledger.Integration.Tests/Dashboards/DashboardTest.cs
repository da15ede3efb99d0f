using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Commitments.Reviewing;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using Ledger.Integration.Tests.Support;
using Ledger.Projections.Commitments;
using Ledger.Projections.Dashboards;
using Marten;
using Marten.Events;
using NodaTime;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>
/// Dashboard tests write events by hand, through the domain's own records and decisions, one
/// transaction per call with the fake clock moving a minute after each, then wait for the async
/// daemon before they read.
/// </summary>
public abstract class DashboardTest(LedgerFixture fixture) : LedgerTest(fixture)
{
    protected static readonly Actor Secretariat = new("sec.officer", "UN");

    protected static readonly WorkingSession Political = new(1, "Cooperation on Political Issues", ["Palestine"], []);

    protected static readonly WorkingSession Economic = new(2, "Cooperation on Economic and Scientific Issues", ["Trade"], []);

    protected static readonly WorkingSession Humanitarian = new(3, "Cooperation on Cultural, Social, and Humanitarian Issues", ["Health"], []);

    /// <summary>Waits until every async projection has caught up with the events written so far.</summary>
    protected Task CatchUpAsync() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    protected Instant Now => Clock.GetCurrentInstant();

    /// <summary>Starts a stream, as the importer and the pledge endpoint do.</summary>
    protected async Task StartAsync(string stream, params object[] events)
    {
        await using var session = Store.LightweightSession();
        session.Events.StartStream(stream, events);
        await session.SaveChangesAsync();
        Clock.AdvanceMinutes(1);
    }

    /// <summary>Appends to a commitment as the write API does: at the version it was read at.</summary>
    protected async Task AppendAsync(string code, params object[] events)
    {
        await using var session = Store.LightweightSession();
        var stream = await session.Events.FetchForWriting<CommitmentView>(code);
        stream.AppendMany(events);
        await session.SaveChangesAsync();
        Clock.AdvanceMinutes(1);
    }

    protected Task RegisterMeetingAsync(string code, string? reviews = null, params WorkingSession[] sessions) =>
        StartAsync(StreamKeys.Meeting(code), new MeetingRegistered(
            code, $"Meeting {code}", "Geneva", "CHE", "Europe/Zurich", FactDate.Day(new LocalDate(MeetingCode.Year(code), 7, 1)),
            new LocalDate(MeetingCode.Year(code), 7, 1), new LocalDate(MeetingCode.Year(code), 7, 3), null, null, reviews, sessions,
            Basis.Recorded, Secretariat, Now));

    protected async Task RegisterOrganizationsAsync(params string[] codes)
    {
        foreach (var code in codes)
        {
            await StartAsync(StreamKeys.Organization(code), new OrganizationRegistered(
                code, $"Organization {code}", code.StartsWith("UN", StringComparison.Ordinal) ? OrganizationFamily.UN : OrganizationFamily.OIC,
                null, Secretariat, Now));
        }
    }

    protected async Task<CommitmentPledged> PledgeAsync(
        string code,
        string[] leads,
        string[]? partners = null,
        string[]? countries = null,
        int? session = null,
        CommitmentKind kind = CommitmentKind.Programme,
        CommitmentStatus status = CommitmentStatus.Agreed,
        LocalDate? due = null,
        LocalDate? pledgedOn = null,
        Basis basis = Basis.Recorded)
    {
        var pledged = new CommitmentPledged(
            code, CommitmentCode.MeetingOf(code), $"Commitment {code}", kind, status, leads, partners ?? [], countries ?? [], session,
            null, [], due, basis, new Dictionary<string, string>(), null, FactDate.Day(pledgedOn ?? Now.InUtc().Date), Secretariat, Now);
        await StartAsync(code, pledged);
        return pledged;
    }

    /// <summary>A progress report through the domain's decision, against the commitment as its stream stands.</summary>
    protected async Task ReportAsync(string code, CommitmentStatus status, LocalDate asOf)
    {
        var decision = new ReportProgress(status, "Progress as reported.", asOf).Decide(await CurrentAsync(code), Secretariat, Now);
        decision.IsRefused.ShouldBeFalse(decision.ToString());
        await AppendAsync(code, [.. decision.Events]);
    }

    /// <summary>A review decision through the domain's decision.</summary>
    protected async Task ReviewAsync(string code, string meeting, ReviewRating rating = ReviewRating.OnTrack, ReviewOutcome outcome = ReviewOutcome.Continue)
    {
        var catalog = new ReferenceCatalog(
            new Dictionary<string, IReadOnlyList<WorkingSession>> { [meeting] = [] }, new HashSet<string>(), new HashSet<string>());
        var decision = new RecordReviewDecision(meeting, rating, outcome).Decide(await CurrentAsync(code), catalog, Secretariat, Now);
        decision.IsRefused.ShouldBeFalse(decision.ToString());
        await AppendAsync(code, [.. decision.Events]);
    }

    protected Task AmendAsync(
        string code, string[]? leads = null, string[]? partners = null, string[]? countries = null, LocalDate? due = null, int? session = null) =>
        AppendAsync(code, new CommitmentAmended(code, null, null, leads, partners, countries, session, null, null, due, "Amended by hand.", Secretariat, Now));

    protected Task WithdrawAsync(string code) => AppendAsync(code, new CommitmentWithdrawn(code, "No longer pursued.", null, Secretariat, Now));

    protected async Task<Commitment> CurrentAsync(string code)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<CommitmentView>(code))?.ToCommitment() ?? throw new InvalidOperationException($"No commitment {code}");
    }

    protected Task<T> GetAsync<T>(string url) => Host.GetJsonAsync<T>(url);

    /// <summary>An auditor's token: boards as of an instant are theirs alone.</summary>
    protected string AuditorToken => Host.TokenFor(Ledger.Host.Security.LedgerRoles.Auditor);

    protected Task<T> GetAsAuditorAsync<T>(string url) => Host.GetJsonAsync<T>(url, AuditorToken);

    /// <summary>A response as the API writes it, to compare whole answers structurally.</summary>
    protected static string Json(object response) => System.Text.Json.JsonSerializer.Serialize(response, Ledger.Host.Hosting.ApiJson.Options);

    /// <summary>What a rebuild does first: the dashboards' progression rows and documents go (pause the daemon first).</summary>
    protected async Task TearDownDashboardsAsync()
    {
        await using var session = Store.LightweightSession();
        foreach (var (_, document) in DashboardProjections.Async)
        {
            session.QueueSqlCommand($"delete from {Store.Options.Schema.For(document, true)}");
        }

        session.QueueSqlCommand(
            "delete from ledger.mt_event_progression where name not like 'HighWater%'");
        await session.SaveChangesAsync();
    }

    /// <summary>The sequence number of the last event stored.</summary>
    protected async Task<long> HighWaterMarkAsync()
    {
        await using var session = Store.QuerySession();
        return (await session.AdvancedSql.QueryAsync<long>("select coalesce(max(seq_id), 0) from ledger.mt_events", default))[0];
    }
}
