using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.Security;
using Ledger.Reliability.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using NodaTime;
using NodaTime.Testing;
using Npgsql;
using Shouldly;
using Wolverine;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Security;

/// <summary>
/// R7: every route refuses the wrong caller. The routes come from the host's own endpoint data source,
/// so a route nobody classified fails the test. With <c>Ledger:Dashboards:Public=false</c>, each
/// protected route is sent no token, tokens that are wrong in one way each (expired, not yet valid,
/// wrong issuer, wrong audience, <c>alg=none</c>, HS512, wrong key, unknown key id, no <c>jti</c>, a
/// lifetime over the maximum) → 401; every role it is not for → 403; a focal point of another
/// organization → 403; each write past the caller's rate limit → 429. Every refusal is a problem
/// detail (401s with <c>WWW-Authenticate: Bearer</c>), and the events table has exactly as many rows
/// afterwards as before. A control request with the right role for every route shows that the
/// refusals are the matrix's doing, not a host that refuses everything.
/// </summary>
public sealed class R7AuthMatrix(ITestOutputHelper output)
{
    private static readonly Instant Now = Instant.FromUtc(2024, 7, 25, 6, 0);
    private const int WritesPerMinute = 3;

    // Two keys, the newer one current: tokens of both are accepted (a rotation in progress). 64 bytes,
    // so that an HS512 signature with them is sound and only the pinned algorithm refuses it.
    private static readonly SymmetricSecurityKey OldKey = new(RandomNumberGenerator.GetBytes(64)) { KeyId = "r7-2024" };
    private static readonly SymmetricSecurityKey NewKey = new(RandomNumberGenerator.GetBytes(64)) { KeyId = "r7-2025" };

    private static readonly NoteSigningKey TreeHeadKey = NoteSigningKey.Generate();

    private enum Access
    {
        Anonymous,
        Read,
        Audit,
        Secretariat,
        ReportProgress,
    }

    /// <summary>One request per route pattern and method: what it is for, and a request that the right caller could make (a valid body for writes).</summary>
    private sealed record Route(string Method, string Pattern, Access Access, string Url, string? Body = null)
    {
        public string Name => $"{Method} {Url}";

        public bool IsWrite => Body is not null;
    }

    private static readonly Route[] Routes =
    [
        new("GET", "/health", Access.Anonymous, "/health"),
        new("GET", "/metrics", Access.Anonymous, "/metrics"), // no token; served to this machine and Ledger:Metrics:AllowFrom only
        new("GET", "/openapi/{documentName}.json", Access.Anonymous, "/openapi/v1.json"),
        new("GET", "/scalar/{documentName?}", Access.Anonymous, "/scalar/v1"),
        new("GET", "/scalar/scalar.js", Access.Anonymous, "/scalar/scalar.js"),
        new("GET", "/scalar/scalar.aspnetcore.js", Access.Anonymous, "/scalar/scalar.aspnetcore.js"),
        new("GET", "/scalar/favicon.svg", Access.Anonymous, "/scalar/favicon.svg"),
        .. Ledger.Host.Web.WebHosting.PageRoutes.Select(p => new Route("GET", p, Access.Anonymous, p
            .Replace("{code}", p.StartsWith("/meetings", StringComparison.Ordinal) ? "AST-2024" : p.StartsWith("/organizations", StringComparison.Ordinal) ? "FAO" : "AST-2024-06", StringComparison.Ordinal)
            .Replace("{iso3}", "KAZ", StringComparison.Ordinal))),

        new("GET", "/api/meetings", Access.Read, "/api/meetings"),
        new("GET", "/api/meetings/{code}", Access.Read, "/api/meetings/AST-2024"),
        new("GET", "/api/commitments", Access.Read, "/api/commitments?meeting=AST-2024"),
        new("GET", "/api/commitments/{code}", Access.Read, "/api/commitments/AST-2024-06"),
        new("GET", "/api/dashboard/meetings/{code}", Access.Read, "/api/dashboard/meetings/AST-2024"),
        new("GET", "/api/dashboard/meetings/{code}/unreviewed", Access.Read, "/api/dashboard/meetings/AST-2024/unreviewed"),
        new("GET", "/api/dashboard/organizations/{code}", Access.Read, "/api/dashboard/organizations/FAO"),
        new("GET", "/api/dashboard/countries/{iso3}", Access.Read, "/api/dashboard/countries/KAZ"),
        new("GET", "/api/dashboard/overdue", Access.Read, "/api/dashboard/overdue"),
        new("GET", "/api/dashboard/activity", Access.Read, "/api/dashboard/activity"),
        new("GET", "/api/projections", Access.Read, "/api/projections"),

        // What the web pages read to sign someone in and to build their forms.
        new("GET", "/api/session", Access.Anonymous, "/api/session"),
        new("GET", "/api/vocabulary", Access.Read, "/api/vocabulary"),

        new("GET", "/api/commitments/{code}/history", Access.Audit, "/api/commitments/AST-2024-06/history"),
        new("GET", "/api/ledger/events", Access.Audit, "/api/ledger/events?after=0&limit=10"),
        new("GET", "/api/ledger/export", Access.Audit, "/api/ledger/export?format=jsonl"),
        new("GET", "/api/ledger/digest", Access.Audit, "/api/ledger/digest"),
        new("GET", "/api/ledger/proofs/inclusion", Access.Audit, "/api/ledger/proofs/inclusion?sequence=1"),
        new("GET", "/api/ledger/proofs/consistency", Access.Audit, "/api/ledger/proofs/consistency?from=1"),
        new("POST", "/api/ledger/verify", Access.Audit, "/api/ledger/verify"),
        new("GET", "/api/ledger/tree-heads", Access.Audit, "/api/ledger/tree-heads?after=0&limit=10"),
        new("GET", "/api/ledger/tree-heads/latest", Access.Audit, "/api/ledger/tree-heads/latest"),
        new("GET", "/api/ledger/tree-heads/keys", Access.Audit, "/api/ledger/tree-heads/keys"),
        new("POST", "/api/ledger/tree-heads", Access.Audit, "/api/ledger/tree-heads"),
        new("POST", "/api/projections/verify", Access.Audit, "/api/projections/verify"),

        new("POST", "/api/commitments", Access.Secretariat, "/api/commitments",
            """{"code":"AST-2024-11","meeting":"AST-2024","title":"Thematic working group on water","kind":"mechanism","leads":["IOFS"]}"""),
        new("POST", "/api/commitments/{code}/amendments", Access.Secretariat, "/api/commitments/AST-2024-06/amendments",
            """{"reason":"Typo in the title.","title":"IOFS–FAO Letter of Intent on institutional cooperation"}"""),
        new("POST", "/api/commitments/{code}/reviews", Access.Secretariat, "/api/commitments/AST-2024-06/reviews",
            """{"meeting":"AST-2024","rating":"on-track","decision":"continue"}"""),
        new("POST", "/api/commitments/{code}/withdrawal", Access.Secretariat, "/api/commitments/AST-2024-06/withdrawal", """{"reason":"Superseded."}"""),
        new("POST", "/api/commitments/{code}/carry-forward", Access.Secretariat, "/api/commitments/GVA-2022-1.1/carry-forward", """{"toMeeting":"AST-2024"}"""),
        new("POST", "/api/meetings/{code}/reviews", Access.Secretariat, "/api/meetings/AST-2024/reviews",
            """{"reviews":[{"commitment":"GVA-2022-1.1","rating":"delayed","decision":"request-information"}]}"""),
        new("POST", "/api/imports", Access.Secretariat, "/api/imports",
            """{"meeting":"AST-2024","commitments":[{"code":"AST-2024-12","title":"Water matrix line","kind":"matrix-line","leads":["UN","OIC"]}]}"""),
        new("POST", "/api/commitments/{code}/progress", Access.ReportProgress, "/api/commitments/AST-2024-06/progress",
            """{"status":"in-progress","narrative":"Joint missions started.","asOf":"2024-07-24","percentComplete":10}"""),
    ];

    /// <summary>
    /// Requests that an endpoint refuses more narrowly than its policy: past states (a commitment's, a board's) are for
    /// auditors; and the dashboards on a business day, which are for every reader, as the dashboards themselves.
    /// </summary>
    private static readonly Route[] Variants =
    [
        new("GET", "/api/dashboard/meetings/{code}", Access.Audit, "/api/dashboard/meetings/AST-2024?asOf=2024-07-24T00:00:00Z"),
        new("GET", "/api/dashboard/meetings/{code}", Access.Audit, "/api/dashboard/meetings/AST-2024?asOf=2024-07-24T00:00:00Z&effectiveOn=2024-07-22"),
        new("GET", "/api/dashboard/meetings/{code}", Access.Read, "/api/dashboard/meetings/AST-2024?effectiveOn=2024-07-22T09:00"),
        new("GET", "/api/dashboard/meetings/{code}/unreviewed", Access.Read, "/api/dashboard/meetings/AST-2024/unreviewed?effectiveOn=2024-07-22T09:00"),
        new("GET", "/api/dashboard/organizations/{code}", Access.Read, "/api/dashboard/organizations/IOFS?effectiveOn=2024-07-22"),
        new("GET", "/api/dashboard/countries/{iso3}", Access.Read, "/api/dashboard/countries/AFG?effectiveOn=2024-07-22T04:00:00Z"),
        new("GET", "/api/dashboard/overdue", Access.Read, "/api/dashboard/overdue?meeting=AST-2024&effectiveOn=2024-07-22"),
        new("GET", "/api/commitments/{code}", Access.Audit, "/api/commitments/AST-2024-06?asOf=2024-07-24T00:00:00Z"),
        new("GET", "/api/commitments/{code}", Access.Audit, "/api/commitments/AST-2024-06?version=1"),
    ];

    private static readonly Dictionary<Access, string?> Policies = new()
    {
        [Access.Read] = LedgerPolicies.Read,
        [Access.Audit] = LedgerPolicies.Audit,
        [Access.Secretariat] = LedgerPolicies.Secretariat,
        [Access.ReportProgress] = LedgerPolicies.ReportProgress,
    };

    private readonly Tally _tally = new();

    [Fact]
    public async Task Every_route_refuses_every_wrong_caller_and_writes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("r7");
        await using var host = await StartAsync(database);
        var forged = new ForgedTokens("unoic-ledger", "unoic-ledger", NewKey, Now);
        var forgedWithOldKey = new ForgedTokens("unoic-ledger", "unoic-ledger", OldKey, Now);

        var served = ServedRoutes(host);
        var unclassified = served.Where(s => !Routes.Any(r => r.Method == s.Method && r.Pattern == s.Pattern)).ToList();
        unclassified.ShouldBeEmpty("routes nobody classified: add each to R7's table with who it is for\n" +
                                   string.Join("\n", unclassified.Select(u => $"{u.Method} {u.Pattern} (policies: {u.Policies})")));
        var gone = Routes.Where(r => !served.Any(s => s.Method == r.Method && s.Pattern == r.Pattern)).ToList();
        gone.ShouldBeEmpty("R7 lists routes the host does not serve: " + string.Join(", ", gone.Select(g => g.Name)));
        foreach (var (method, pattern, policies, anonymous) in served)
        {
            var access = Routes.Single(r => r.Method == method && r.Pattern == pattern).Access;
            (access == Access.Anonymous ? anonymous : policies == Policies[access]).ShouldBeTrue(
                $"{method} {pattern} declares {(anonymous ? "anonymous access" : "policy " + policies)}, but R7 says it is {access}");
        }

        using var client = host.Server.CreateClient();
        var events = await EventCountAsync(database);
        events.ShouldBeGreaterThan(0, "the seed must have run, so that refused writes would have something to change");

        foreach (var route in Routes.Concat(Variants))
        {
            if (route.Access == Access.Anonymous)
            {
                await ExpectAsync(client, database, events, route, "anonymous, no token", null, status => status is >= 200 and < 300);
                continue;
            }

            var (allowed, organization) = Allowed(route.Access);
            await ExpectAsync(client, database, events, route, "no token", null, 401);
            foreach (var (name, token) in forged.Refusable(allowed[0], organization))
            {
                await ExpectAsync(client, database, events, route, name, token, 401);
            }

            foreach (var role in LedgerRoles.All.Append("intruder").Except(allowed))
            {
                await ExpectAsync(client, database, events, route, $"wrong role {role}", forged.Valid(role, role == LedgerRoles.FocalPoint ? "FAO" : null), 403);
            }

            if (route.Access == Access.ReportProgress)
            {
                await ExpectAsync(client, database, events, route, "other organization (UNRWA)", forged.Valid(LedgerRoles.FocalPoint, "UNRWA"), 403);
                await ExpectAsync(client, database, events, route, "focal point without an organization", forged.Valid(LedgerRoles.FocalPoint), 403);
            }

            // Controls: the right callers get past authentication and authorization (writes with a body
            // the endpoint refuses, so that nothing is recorded), with tokens of either key.
            for (var i = 0; i < allowed.Count; i++)
            {
                var issuer = i % 2 == 0 ? forged : forgedWithOldKey;
                var token = issuer.Valid(allowed[i], allowed[i] == LedgerRoles.FocalPoint ? organization : null);
                await ExpectAsync(client, database, events, route with { Body = route.IsWrite ? "{}" : null }, $"control {allowed[i]}", token,
                    status => status is not (401 or 403 or 429) and < 500, control: true);
            }

            if (route.IsWrite)
            {
                var user = $"r7.rate.{Guid.NewGuid():N}";
                var token = forged.Valid(allowed[0], organization, user);
                for (var i = 0; i < WritesPerMinute; i++)
                {
                    await ExpectAsync(client, database, events, route with { Body = "{}" }, $"within the rate limit ({i + 1})", token,
                        status => status is 400 or 422, control: true);
                }

                await ExpectAsync(client, database, events, route, "over the write rate limit", token, 429);
            }
        }

        _tally.Failures.ShouldBeEmpty(string.Join("\n", _tally.Failures));
        var refused = _tally.Statuses.Where(s => s.Key is 401 or 403 or 429).Sum(s => s.Value);
        (await EventCountAsync(database)).ShouldBe(events);
        var open = Routes.Count(r => r.Access == Access.Anonymous);
        Figures.Report(output, "R7", string.Create(CultureInfo.InvariantCulture,
            $"{served.Count} routes of the endpoint data source, all classified ({open} anonymous, {served.Count - open} protected, +{Variants.Length} variants: time travel and business days), " +
            $"Dashboards:Public=false; {_tally.Requests} requests over {_tally.Cases.Count} cases: " +
            $"{_tally.Count(401)} × 401 (each a problem with WWW-Authenticate: Bearer), {_tally.Count(403)} × 403, {_tally.Count(429)} × 429, " +
            $"{_tally.Controls} controls let through, 0 × 5xx; {refused} refused requests wrote 0 events ({events} before and after)"));
    }

    private static (IReadOnlyList<string> Roles, string? Organization) Allowed(Access access) => access switch
    {
        Access.Read => (LedgerRoles.All, "FAO"),
        Access.Audit => ([LedgerRoles.Auditor], null),
        Access.Secretariat => ([LedgerRoles.Secretariat], null),
        Access.ReportProgress => ([LedgerRoles.Secretariat, LedgerRoles.FocalPoint], "FAO"), // FAO co-leads AST-2024-06
        _ => throw new ArgumentOutOfRangeException(nameof(access)),
    };

    private async Task ExpectAsync(HttpClient client, TestDatabase database, long events, Route route, string name, string? token, int status) =>
        await ExpectAsync(client, database, events, route, name, token, s => s == status, expected: status);

    private async Task ExpectAsync(
        HttpClient client, TestDatabase database, long events, Route route, string name, string? token, Func<int, bool> acceptable,
        bool control = false, int? expected = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url);
        if (route.Body is not null)
        {
            request.Content = new StringContent(route.Body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        _tally.Record(name, status, control);
        var where = $"{route.Name} [{name}] -> {status}";
        if (!acceptable(status))
        {
            _tally.Failures.Add($"{where}: expected {(expected?.ToString(CultureInfo.InvariantCulture) ?? "another status")}; {Shorten(body)}");
        }

        if (expected is { } refusal)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                _tally.Failures.Add($"{where}: not a problem detail ({response.Content.Headers.ContentType})");
            }
            else if (JsonDocument.Parse(body).RootElement.TryGetProperty("status", out var s) && s.GetInt32() != refusal)
            {
                _tally.Failures.Add($"{where}: problem status {s.GetInt32()}");
            }

            if (refusal == 401 && !response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"))
            {
                _tally.Failures.Add($"{where}: no WWW-Authenticate: Bearer");
            }

            if (refusal == 429 && response.Headers.RetryAfter is null)
            {
                _tally.Failures.Add($"{where}: no Retry-After");
            }
        }

        if (await EventCountAsync(database) != events)
        {
            _tally.Failures.Add($"{where}: the events table changed");
        }
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";

    /// <summary>Every route the host serves, as the routing middleware sees them, with the access each declares.</summary>
    private static List<(string Method, string Pattern, string? Policies, bool Anonymous)> ServedRoutes(IAlbaHost host) =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => (
                Method: method,
                Pattern: "/" + (e.RoutePattern.RawText ?? string.Empty).TrimStart('/'),
                Policies: string.Join(",", e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Distinct()) is { Length: > 0 } p ? p : null,
                Anonymous: e.Metadata.GetMetadata<IAllowAnonymous>() is not null)))
            .Distinct()
            .ToList();

    private static async Task<long> EventCountAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static Task<IAlbaHost> StartAsync(TestDatabase database) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("ConnectionStrings:Ledger", database.ConnectionString);
            builder.UseSetting("Ledger:SeedOnStartup", "true");
            builder.UseSetting("Ledger:Dashboards:Public", "false");
            builder.UseSetting("Ledger:Auth:SigningKeys:0:Id", OldKey.KeyId);
            builder.UseSetting("Ledger:Auth:SigningKeys:0:Key", Convert.ToBase64String(OldKey.Key));
            builder.UseSetting("Ledger:Auth:SigningKeys:1:Id", NewKey.KeyId);
            builder.UseSetting("Ledger:Auth:SigningKeys:1:Key", Convert.ToBase64String(NewKey.Key));
            builder.UseSetting("Ledger:Auth:CurrentKeyId", NewKey.KeyId);
            builder.UseSetting("Ledger:RateLimits:WritesPerMinute", WritesPerMinute.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Ledger:TreeHeads:Key", TreeHeadKey.ExportPem()); // so that an auditor's POST signs a head
            builder.UseSetting("Ledger:TreeHeads:Interval", "00:00:00");
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(new FakeClock(Now));
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });

    private sealed class Tally
    {
        public List<string> Failures { get; } = [];

        public Dictionary<int, int> Statuses { get; } = [];

        public HashSet<string> Cases { get; } = [];

        public int Requests { get; private set; }

        public int Controls { get; private set; }

        public void Record(string name, int status, bool control)
        {
            Requests++;
            Cases.Add(name.Split(" (", 2)[0]);
            Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
            if (control)
            {
                Controls++;
            }
        }

        public int Count(int status) => Statuses.GetValueOrDefault(status);
    }
}
