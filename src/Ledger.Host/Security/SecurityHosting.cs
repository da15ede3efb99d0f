using System.Threading.RateLimiting;
using Ledger.Host.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Host.Security;

/// <summary>The <c>Ledger:RateLimits</c> configuration section.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Ledger:RateLimits";

    /// <summary>Writes one caller may make per minute before getting 429.</summary>
    public int WritesPerMinute { get; set; } = 120;
}

/// <summary>Authentication (JWT bearer), the role policies and the per-caller write rate limit.</summary>
public static class SecurityHosting
{
    public const string WriteRateLimit = "writes";

    public static WebApplicationBuilder AddLedgerSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        services.Configure<RateLimitOptions>(builder.Configuration.GetSection(RateLimitOptions.Section));
        services.AddSingleton<TokenIssuer>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IClock>((jwt, auth, clock) => ConfigureJwt(jwt, auth.Value, clock));
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, ProviderKeys.TurnOffLastKnownGood);
        services.AddHostedService<ProviderKeys>();

        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<LedgerOptions>>((authorization, ledger) => AddPolicies(authorization, ledger.Value));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WriteRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.WritesPerMinute;
                var caller = context.User.User() ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
                return RateLimitPartition.GetFixedWindowLimiter(caller, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, perMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Results.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many requests",
                        detail: "This caller has made too many writes in the last minute; retry after the time in Retry-After.",
                        type: Problems.TypeBase + "rate-limited")
                    .ExecuteAsync(context.HttpContext);
            };
        });

        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth, IClock clock)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = TokenValidation.Parameters(auth, clock);
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (TokenValidation.MissingTokenId(context.SecurityToken, auth) is { } refused)
                {
                    context.Fail(refused);
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                if (TokenValidation.UnacceptedAlgorithm(context.Request.Headers.Authorization, context.Options.TokenValidationParameters) is { } refused)
                {
                    context.Fail(refused);
                }

                return Task.CompletedTask;
            },
            OnChallenge = AuthProblems.ChallengeAsync,
        };
        ProviderKeys.Configure(jwt, auth);
    }

    private static void AddPolicies(AuthorizationOptions authorization, LedgerOptions ledger)
    {
        // Any endpoint not marked otherwise needs a valid token; a path that is no endpoint at all
        // goes on to its 404.
        authorization.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAssertion(c => c.User.Identity?.IsAuthenticated == true || c.Resource is HttpContext { } http && http.GetEndpoint() is null)
            .Build();

        authorization.AddPolicy(LedgerPolicies.Read, policy =>
        {
            if (ledger.Dashboards.Public)
            {
                policy.RequireAssertion(_ => true);
            }
            else
            {
                policy.RequireAuthenticatedUser().RequireRole(LedgerRoles.All);
            }
        });
        authorization.AddPolicy(LedgerPolicies.Audit, policy =>
            policy.RequireAuthenticatedUser().RequireRole(LedgerRoles.Auditor));
        authorization.AddPolicy(LedgerPolicies.Secretariat, policy =>
            policy.RequireAuthenticatedUser().RequireRole(LedgerRoles.Secretariat));
        authorization.AddPolicy(LedgerPolicies.ReportProgress, policy =>
            policy.RequireAuthenticatedUser()
                .RequireRole(LedgerRoles.Secretariat, LedgerRoles.FocalPoint)
                .RequireAssertion(c => c.User.IsInRole(LedgerRoles.Secretariat) || c.User.OrganizationCode() is not null));
    }
}
