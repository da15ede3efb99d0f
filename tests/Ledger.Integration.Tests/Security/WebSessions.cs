using System.Text.Json;
using Alba;
using Ledger.Host.Security;
using Ledger.Integration.Tests.Support;
using Shouldly;

namespace Ledger.Integration.Tests.Security;

/// <summary>
/// <c>GET /api/session</c>: what the web pages need to sign someone in (public configuration only), and
/// who the request's own token says the caller is, as the ledger reads it. Anonymous: a refused token
/// is no error here, just nobody.
/// </summary>
public sealed class WebSessions(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task without_a_provider_the_pages_take_a_pasted_token_and_learn_who_it_is()
    {
        var anonymous = await Host.GetAsync("/api/session", null);
        anonymous.Status.ShouldBe(200, anonymous.Body);
        anonymous.Header("Cache-Control").ShouldBe("no-store");
        var session = anonymous.Json;
        session.GetProperty("tokens").GetString().ShouldBe("local");
        session.GetProperty("signIn").ValueKind.ShouldBe(JsonValueKind.Null);
        session.GetProperty("caller").ValueKind.ShouldBe(JsonValueKind.Null);
        session.GetProperty("now").GetString().ShouldBe("2024-07-25T06:00:00Z", "the ledger's clock");

        var caller = (await Host.GetAsync("/api/session", Host.TokenFor(LedgerRoles.FocalPoint, "FAO", "amina.k"))).Json.GetProperty("caller");
        caller.GetProperty("user").GetString().ShouldBe("amina.k");
        caller.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([LedgerRoles.FocalPoint]);
        caller.GetProperty("organization").GetString().ShouldBe("FAO");
        caller.GetProperty("expiresAt").GetString().ShouldBe("2024-07-25T14:00:00Z");

        var refused = await Host.GetAsync("/api/session", Host.TokenFor(LedgerRoles.Auditor) + "x");
        refused.Status.ShouldBe(200);
        refused.Json.GetProperty("caller").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task the_vocabulary_is_the_domains()
    {
        var vocabulary = (await Host.GetAsync("/api/vocabulary", null)).Json;
        var statuses = vocabulary.GetProperty("statuses").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        statuses.Keys.ShouldBe(["proposed", "agreed", "in-progress", "completed", "suspended", "withdrawn", "carried-forward"]);
        statuses["agreed"].GetProperty("next").EnumerateArray().Select(s => s.GetString())
            .ShouldBe(["in-progress", "completed", "suspended", "withdrawn", "carried-forward"]);
        statuses.Where(s => s.Value.GetProperty("reportable").GetBoolean()).Select(s => s.Key)
            .ShouldBe(["agreed", "in-progress", "completed", "suspended"]);
        statuses.Where(s => s.Value.GetProperty("final").GetBoolean()).Select(s => s.Key)
            .ShouldBe(["completed", "withdrawn", "carried-forward"]);
        vocabulary.GetProperty("decisions").EnumerateArray().Select(d => d.GetString())
            .ShouldBe(["continue", "carry-forward", "close", "request-information"]);
        vocabulary.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(LedgerRoles.All);
    }
}

/// <summary>
/// With an identity provider and the pages' client registered at it: the session tells the pages how to
/// sign in (authorization code with PKCE), the pages may call the provider and nothing else, and a
/// provider's token is read like a local one.
/// </summary>
public sealed class WebSessionsWithAProvider : IAsyncLifetime
{
    private TestDatabase? _database;
    private TestIdentityProvider? _provider;
    private IAlbaHost? _host;

    private IAlbaHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    private TestIdentityProvider Provider => _provider ?? throw new InvalidOperationException("The provider is not started.");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("oidc-web");
        _provider = await TestIdentityProvider.StartAsync([ProviderClients.Fao], TestIdentityProvider.NewKey("provider-web-1"));
        _host = await ProviderBackedLedger.StartAsync(_database, _provider, new Dictionary<string, string>
        {
            ["Ledger:Auth:WebClientId"] = "ledger-web",
            ["Ledger:Auth:WebScope"] = "openid ledger",
        });
    }

    public async Task DisposeAsync()
    {
        await _host!.DisposeAsync();
        await _provider!.DisposeAsync();
        await _database!.DisposeAsync();
    }

    [Fact]
    public async Task the_pages_sign_in_through_the_provider_and_may_call_it()
    {
        var session = (await Host.GetAsync("/api/session", null)).Json;
        session.GetProperty("tokens").GetString().ShouldBe("provider");
        var signIn = session.GetProperty("signIn");
        signIn.GetProperty("authority").GetString().ShouldBe(Provider.Address.ToString());
        signIn.GetProperty("clientId").GetString().ShouldBe("ledger-web");
        signIn.GetProperty("scope").GetString().ShouldBe("openid ledger");
        signIn.GetProperty("redirectPath").GetString().ShouldBe("/signed-in");

        var page = await Host.GetAsync("/signed-in", null);
        page.Status.ShouldBe(200);
        page.Header("Content-Security-Policy")!.ShouldContain($"connect-src 'self' {Provider.Address.GetLeftPart(UriPartial.Authority)};");

        var caller = (await Host.GetAsync("/api/session", await Provider.TokenAsync(ProviderClients.Fao))).Json.GetProperty("caller");
        caller.GetProperty("user").GetString().ShouldBe(ProviderClients.Fao.Id);
        caller.GetProperty("organization").GetString().ShouldBe("FAO");
    }
}
