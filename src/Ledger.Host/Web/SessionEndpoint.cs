using System.Globalization;
using Ledger.Host.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Host.Web;

/// <summary>
/// What the web pages need to know to sign someone in, and who the request's own token says the
/// caller is. Public configuration only: nothing here is a secret.
/// </summary>
/// <param name="Tokens">Who issues the tokens this ledger accepts: <c>local</c> (the <c>token</c> verb) or <c>provider</c> (<see cref="AuthOptions.Authority"/>).</param>
/// <param name="SignIn">Sign-in through the identity provider, when the pages have a client there; otherwise null (a pasted token).</param>
/// <param name="Caller">The caller of this request as its token shows it once accepted; null without a token, or with a refused one.</param>
/// <param name="Now">The ledger's clock: "today" for the forms' dates.</param>
public sealed record Session(string Tokens, WebSignIn? SignIn, SessionCaller? Caller, Instant Now);

/// <summary>The authorization code flow with PKCE from the browser: the provider, the pages' public client, the scopes and where the provider sends the browser back.</summary>
public sealed record WebSignIn(string Authority, string ClientId, string Scope, string RedirectPath);

/// <summary>The claims the ledger reads from the caller's token: <c>sub</c>, every <c>role</c>, <c>org</c>, and when it expires (<c>exp</c>).</summary>
public sealed record SessionCaller(string User, IReadOnlyList<string> Roles, string? Organization, Instant? ExpiresAt);

public static class SessionEndpoint
{
    /// <summary>Where the provider sends the browser back with the authorization code (a page route).</summary>
    public const string SignedInPath = "/signed-in";

    [WolverineGet("/api/session", OperationId = "getSession")]
    [AllowAnonymous]
    [Tags("Session")]
    public static Session Get(HttpContext http, IOptions<AuthOptions> options, IClock clock)
    {
        // The answer depends on the caller's token: never kept by a cache.
        http.Response.Headers.CacheControl = "no-store";
        var auth = options.Value;
        var signIn = auth.OffersWebSignIn
            ? new WebSignIn(auth.Authority!, auth.WebClientId!, auth.WebScope, SignedInPath)
            : null;
        return new Session(auth.UsesProvider ? "provider" : "local", signIn, Caller(http), clock.GetCurrentInstant());
    }

    private static SessionCaller? Caller(HttpContext http)
    {
        var user = http.User;
        if (user.Identity?.IsAuthenticated != true || user.User() is not { } subject)
        {
            return null;
        }

        var expires = long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? Instant.FromUnixTimeSeconds(seconds)
            : (Instant?)null;
        var roles = user.FindAll(LedgerClaims.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray();
        return new SessionCaller(subject, roles, user.OrganizationCode(), expires);
    }
}
