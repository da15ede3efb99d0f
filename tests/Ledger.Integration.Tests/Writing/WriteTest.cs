using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;

namespace Ledger.Integration.Tests.Writing;

/// <summary>Base for write tests: the meetings' data is imported and tokens are at hand.</summary>
public abstract class WriteTest(LedgerFixture fixture) : LedgerTest(fixture)
{
    protected const string LetterOfIntent = "AST-2024-06";

    protected static readonly object OnTrack = new
    {
        meeting = "AST-2024",
        rating = "on-track",
        decision = "continue",
        remarks = "Letter signed; first joint missions planned.",
        nextReviewDue = "2026-07-01",
    };

    protected string Secretariat => Host.TokenFor(LedgerRoles.Secretariat);

    protected string Viewer => Host.TokenFor(LedgerRoles.Viewer);

    protected string Auditor => Host.TokenFor(LedgerRoles.Auditor);

    protected string FocalPoint(string organization) => Host.TokenFor(LedgerRoles.FocalPoint, organization);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ImportShippedDataAsync();
    }
}
