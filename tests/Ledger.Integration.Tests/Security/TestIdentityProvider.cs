using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore;
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

namespace Ledger.Integration.Tests.Security;

/// <summary>A client of the identity provider: a service account with the ledger role and organization its tokens carry.</summary>
public sealed record ProviderClient(string Id, string Role, string? Organization = null)
{
    public string Secret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}

/// <summary>
/// A real OpenID Connect provider for the tests: OpenIddict's server on a loopback Kestrel port,
/// issuing RS256 access tokens by client credentials, with discovery and JWKS as any provider
/// publishes them. No store (OpenIddict's degraded mode): the clients are a fixed list checked
/// here. Transport security is off because it listens on loopback only. Its keys can be rotated
/// while it runs (<see cref="RotateKeys"/>): the first key signs, every listed key is published.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "unoic-ledger";

    private readonly Dictionary<string, ProviderClient> _clients;
    private readonly int _port;
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly KeyRing _keys = new();
    private WebApplication? _app;

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

    private async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders().AddConsole().AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.EnableDegradedMode();
            server.SetIssuer(Address);
            server.SetTokenEndpointUris("connect/token");
            server.AllowClientCredentialsFlow();
            server.AddEphemeralEncryptionKey();
            server.DisableAccessTokenEncryption();
            server.SetAccessTokenLifetime(TimeSpan.FromMinutes(30));
            server.UseAspNetCore().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();

            // Without a store, the provider authenticates its clients itself.
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
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
        app.UseAuthentication(); // after the counter: OpenIddict answers discovery and JWKS from authentication
        app.MapPost("/connect/token", (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            var client = _clients[request.ClientId!];
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
            identity.SetClaim(Claims.Subject, client.Id);
            identity.SetClaim(Claims.Role, client.Role);
            if (client.Organization is not null)
            {
                identity.SetClaim("org", client.Organization);
            }

            identity.SetAudiences(Audience);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        _app = app;
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
