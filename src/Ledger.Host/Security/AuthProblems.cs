using Ledger.Host.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Net.Http.Headers;

namespace Ledger.Host.Security;

/// <summary>
/// The answers of a refused caller: RFC 9457 problem details, 401 with <c>WWW-Authenticate: Bearer</c>
/// (RFC 6750) and a reason, 403 naming the roles the route is for.
/// </summary>
public static class AuthProblems
{
    public const string UnauthorizedType = Problems.TypeBase + "unauthorized";

    /// <summary>The bearer handler's challenge, answered by the ledger: the header names no detail taken from the token.</summary>
    public static async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var reason = TokenValidation.Describe(context.AuthenticateFailure);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? JwtBearerDefaults.AuthenticationScheme
            : $"{JwtBearerDefaults.AuthenticationScheme} error=\"invalid_token\", error_description=\"{reason.TrimEnd('.')}\"";
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: reason, type: UnauthorizedType)
            .ExecuteAsync(context.HttpContext);
    }

    /// <summary>
    /// Authentication, plus a <c>WWW-Authenticate: Bearer</c> header on every 401 that lacks one (an
    /// endpoint may refuse an anonymous caller itself, e.g. a past state asked without a token).
    /// </summary>
    public static WebApplication UseLedgerAuthentication(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (response.StatusCode == StatusCodes.Status401Unauthorized && !response.Headers.ContainsKey(HeaderNames.WWWAuthenticate))
                {
                    response.Headers.WWWAuthenticate = JwtBearerDefaults.AuthenticationScheme;
                }

                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        app.UseAuthentication();
        return app;
    }
}

/// <summary>Answers an authenticated caller whose role does not fit the route with a 403 problem naming the roles it is for.</summary>
public sealed class ForbiddenAsProblem : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
        var detail = roles.Count > 0 && !roles.Exists(context.User.IsInRole)
            ? $"This route is for the role {string.Join(" or ", roles)}."
            : "This token's claims do not allow this route (a focal point must name its organization in org).";
        await Problems.Forbidden(detail).ExecuteAsync(context);
    }
}
