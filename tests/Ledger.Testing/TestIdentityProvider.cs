using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ledger.Testing;

/// <summary>A client of the identity provider: a service account with the ledger role and organization its tokens carry.</summary>
public sealed record ProviderClient(string Id, string Role, string? Organization = null)
{
    public string Secret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}

/// <summary>A person who signs in through a browser, with the ledger role and organization the provider gives them.</summary>
public sealed record ProviderUser(string Subject, string Role, string? Organization = null);

/// <summary>
/// A public client (no secret) that signs people in from a browser by the authorization code flow with
/// PKCE: the ledger's web pages, with the one address the provider may send the browser back to.
/// </summary>
public sealed record BrowserClient(string Id, Uri RedirectUri, IReadOnlyList<ProviderUser> Users)
{
    /// <summary>The origin the pages run at, allowed to call the provider from the browser (CORS).</summary>
    public string Origin => RedirectUri.GetLeftPart(UriPartial.Authority);
}

/// <summary>
/// A real OpenID Connect provider for the tests: OpenIddict's server on a loopback Kestrel port,
/// issuing RS256 access tokens by client credentials, with discovery and JWKS as any provider
/// publishes them, and, once a <see cref="BrowserClient"/> is registered, by the authorization code
/// flow with PKCE for people signing in from a browser (a sign-in page that lists them: pick one).
/// No store (OpenIddict's degraded mode): the clients are checked here, and the codes are
/// self-contained. Transport security is off because it listens on loopback only. Its keys can be
/// rotated while it runs (<see cref="RotateKeys"/>): the first key signs, every listed key is published.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "unoic-ledger";

    private readonly Dictionary<string, ProviderClient> _clients;
    private readonly int _port;
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly KeyRing _keys = new();
    private WebApplication? _app;
    private volatile BrowserClient? _browser;

    private TestIdentityProvider(IEnumerable<ProviderClient> clients, int port)
    {
        _clients = clients.ToDictionary(c => c.Id);
        _port = port;
    }

    /// <summary>The authority (and issuer), e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address => new($"http://127.0.0.1:{_port}/");

    /// <summary>The keys it publishes now; the first signs.</summary>
    public IReadOnlyList<RsaSecurityKey> Keys => _keys.Current;

    /// <summary>How often each path was asked for (discovery, JWKS, token), since the provider was started.</summary>
    public int Hits(string path) => _hits.GetValueOrDefault(path);

    public static async Task<TestIdentityProvider> StartAsync(IEnumerable<ProviderClient> clients, params RsaSecurityKey[] keys)
    {
        var provider = new TestIdentityProvider(clients, LoopbackPort.Free());
        provider._keys.Replace(keys);
        await provider.StartAsync();
        return provider;
    }

    /// <summary>A new RSA signing key with the given id.</summary>
    public static RsaSecurityKey NewKey(string id) => new(RSA.Create(2048)) { KeyId = id };

    /// <summary>
    /// Rotates the provider's keys while it runs, as a provider's key management does: from the next
    /// request on, the first of <paramref name="keys"/> signs and all of them are published in the JWKS.
    /// </summary>
    public void RotateKeys(params RsaSecurityKey[] keys) => _keys.Replace(keys);

    /// <summary>
    /// Registers the public client of a browser application (its redirect address is known once its host
    /// listens), with the people who may sign in through it; replaces an earlier registration.
    /// </summary>
    public void RegisterBrowserClient(BrowserClient client) => _browser = client;

    private async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders().AddConsole().AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(origin => origin == _browser?.Origin)
            .AllowAnyHeader()
            .WithMethods("GET", "POST")));
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.EnableDegradedMode();
            server.SetIssuer(Address);
            server.SetTokenEndpointUris("connect/token");
            server.SetAuthorizationEndpointUris("connect/authorize");
            server.AllowClientCredentialsFlow();
            server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            server.AddEphemeralEncryptionKey();
            server.DisableAccessTokenEncryption();
            server.SetAccessTokenLifetime(TimeSpan.FromMinutes(30));
            server.UseAspNetCore()
                .EnableTokenEndpointPassthrough()
                .EnableAuthorizationEndpointPassthrough()
                .DisableTransportSecurityRequirement();

            // Without a store, the provider checks the browser client and its redirect address itself.
            server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (_browser is not { } browser || context.ClientId != browser.Id)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }
                else if (context.RedirectUri != browser.RedirectUri.AbsoluteUri)
                {
                    context.Reject(Errors.InvalidRequest, "This redirect_uri is not registered for the client.");
                }

                return default;
            }));

            // ...and authenticates its clients: service accounts by their secret, the browser client (public) by none.
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.Request.IsAuthorizationCodeGrantType())
                {
                    if (_browser is not { } browser || context.ClientId != browser.Id || context.ClientSecret is not null)
                    {
                        context.Reject(Errors.InvalidClient, "Unknown public client, or a secret where none is expected.");
                    }

                    return default;
                }

                if (context.ClientId is not { } id || !_clients.TryGetValue(id, out var client) || context.ClientSecret is not { } secret ||
                    !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.Secret)))
                {
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                }

                return default;
            }));
        });

        // The signing keys come from the key ring each time the options are built, and the ring's
        // change token rebuilds them when the keys rotate (OpenIddict reads the current options per request).
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(_keys);
        builder.Services.Configure<OpenIddictServerOptions>(options =>
            options.SigningCredentials.AddRange(_keys.Current.Select(key => new SigningCredentials(key, SecurityAlgorithms.RsaSha256))));

        var app = builder.Build();
        app.Use((http, next) =>
        {
            _hits.AddOrUpdate(http.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            return next(http);
        });
        app.UseCors(); // before OpenIddict, which answers discovery and the token endpoint itself
        app.UseAuthentication(); // after the counter: OpenIddict answers discovery and JWKS from authentication
        app.MapGet("/connect/authorize", Authorize);
        app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            if (request.IsAuthorizationCodeGrantType())
            {
                // The code carries the principal signed in at the authorization endpoint: issue its tokens.
                var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
                var user = _browser?.Users.SingleOrDefault(u => u.Subject == code.Principal?.GetClaim(Claims.Subject));
                return user is null
                    ? Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme])
                    : SignIn(user.Subject, user.Role, user.Organization, code.Principal!.GetScopes());
            }

            var client = _clients[request.ClientId!];
            return SignIn(client.Id, client.Role, client.Organization, []);
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>The principal the provider's tokens are issued for: the ledger's claims in the access token, the subject in the identity token too.</summary>
    private static IResult SignIn(string subject, string role, string? organization, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, subject);
        identity.SetClaim(Claims.Role, role);
        if (organization is not null)
        {
            identity.SetClaim("org", organization);
        }

        identity.SetScopes(scopes);
        identity.SetAudiences(Audience);
        identity.SetDestinations(claim => claim.Type == Claims.Subject
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// The authorization endpoint, once OpenIddict has validated the request (client, redirect address,
    /// PKCE): without a chosen user, a sign-in page listing the people who may sign in, each a button that
    /// repeats the request with <c>login_user</c>; with one, the code for that user.
    /// </summary>
    private IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        var browser = _browser ?? throw new InvalidOperationException("no browser client is registered");
        var chosen = (string?)request["login_user"];
        if (browser.Users.SingleOrDefault(u => u.Subject == chosen) is { } user)
        {
            return SignIn(user.Subject, user.Role, user.Organization, request.GetScopes());
        }

        var html = HtmlEncoder.Default;
        var hidden = string.Concat(http.Request.Query.Where(p => p.Key != "login_user")
            .Select(p => $"<input type=\"hidden\" name=\"{html.Encode(p.Key)}\" value=\"{html.Encode(p.Value.ToString())}\">"));
        var buttons = string.Concat(browser.Users.Select(u =>
            $"<button type=\"submit\" name=\"login_user\" value=\"{html.Encode(u.Subject)}\">{html.Encode(u.Subject)} ({html.Encode(u.Role)}{(u.Organization is null ? "" : ", " + html.Encode(u.Organization))})</button>"));
        return Results.Content(
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title><link rel=\"icon\" href=\"data:,\"></head>" +
            $"<body><h1>Sign in to the test identity provider</h1><form method=\"get\" action=\"/connect/authorize\">{hidden}{buttons}</form></body></html>",
            "text/html; charset=utf-8");
    }

    /// <summary>An access token for <paramref name="client"/> by the client credentials grant, as a service would ask for it.</summary>
    public async Task<string> TokenAsync(ProviderClient client)
    {
        var (status, body) = await RequestTokenAsync(client.Id, client.Secret);
        return status == HttpStatusCode.OK
            ? JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!
            : throw new InvalidOperationException($"The provider refused a token to {client.Id}: {(int)status} {body}");
    }

    /// <summary>The token endpoint's answer to a client credentials request.</summary>
    public async Task<(HttpStatusCode Status, string Body)> RequestTokenAsync(string clientId, string secret)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.ClientCredentials,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _keys.Dispose();
    }

    /// <summary>The current signing keys, and a change token that fires when they are replaced.</summary>
    private sealed class KeyRing : IOptionsChangeTokenSource<OpenIddictServerOptions>, IDisposable
    {
        private readonly Lock _gate = new();
        private CancellationTokenSource _changed = new();

        public IReadOnlyList<RsaSecurityKey> Current { get; private set; } = [];

        public string Name => Microsoft.Extensions.Options.Options.DefaultName;

        public IChangeToken GetChangeToken()
        {
            lock (_gate)
            {
                return new CancellationChangeToken(_changed.Token);
            }
        }

        public void Replace(IReadOnlyList<RsaSecurityKey> keys)
        {
            CancellationTokenSource previous;
            lock (_gate)
            {
                Current = keys;
                previous = _changed;
                _changed = new CancellationTokenSource();
            }

            previous.Cancel();
            previous.Dispose();
        }

        public void Dispose() => _changed.Dispose();
    }
}
