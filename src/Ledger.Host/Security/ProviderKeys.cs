using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Host.Security;

/// <summary>
/// Keeps the identity provider's keys current. The bearer handler fetches the discovery document and
/// its keys (JWKS) on first use, and again — at most once per
/// <see cref="AuthOptions.ProviderKeysMinimumRefreshInterval"/> — when a token names a key it does
/// not know, so a new key is accepted without a restart. This service also fetches them every
/// <see cref="AuthOptions.ProviderKeysRefreshInterval"/>, so a key the provider dropped is refused
/// from then on, even if no new key ever appears. (The library's own periodic refresh cannot be set
/// below five minutes, and its "last known good" fallback would keep accepting a dropped key: it is off.)
/// </summary>
public sealed class ProviderKeys(IOptions<AuthOptions> options, IOptionsMonitor<JwtBearerOptions> jwt, ILogger<ProviderKeys> logger) : BackgroundService
{
    /// <summary>Configures the bearer handler's metadata refresh from <paramref name="auth"/>; nothing without a provider.</summary>
    public static void Configure(JwtBearerOptions jwt, AuthOptions auth)
    {
        if (!auth.UsesProvider)
        {
            return;
        }

        jwt.Authority = auth.Authority;
        jwt.RequireHttpsMetadata = !auth.AllowHttpLoopbackAuthority; // http only on loopback: AuthOptionsValidation
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.RefreshInterval = auth.ProviderKeysMinimumRefreshInterval;
    }

    /// <summary>Runs after the bearer handler created its configuration manager.</summary>
    public static void TurnOffLastKnownGood(JwtBearerOptions jwt)
    {
        if (jwt.ConfigurationManager is BaseConfigurationManager manager)
        {
            manager.UseLastKnownGoodConfiguration = false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var auth = options.Value;
        if (!auth.UsesProvider)
        {
            return;
        }

        AuthLog.ProviderTokensOnly(logger, auth.Authority!);
        if (!string.IsNullOrWhiteSpace(auth.SigningKey) || auth.SigningKeys.Count > 0)
        {
            AuthLog.LocalKeysIgnored(logger);
        }

        using var timer = new PeriodicTimer(auth.ProviderKeysRefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            jwt.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager?.RequestRefresh();
        }
    }
}

internal static partial class AuthLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Tokens are accepted from the identity provider {Authority} only")]
    public static partial void ProviderTokensOnly(ILogger logger, string authority);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Ledger:Auth:Authority is set, so tokens signed with the local keys (Ledger:Auth:SigningKey, Ledger:Auth:SigningKeys) are refused")]
    public static partial void LocalKeysIgnored(ILogger logger);
}
