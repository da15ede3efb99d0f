using Microsoft.Extensions.Options;

namespace Ledger.Host.Security;

/// <summary>Refuses to start with <c>Ledger:Auth</c> settings that would weaken or break authentication, naming each setting.</summary>
public sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    private static readonly TimeSpan ShortestRefresh = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, AuthOptions auth)
    {
        var problems = new List<string>();
        var section = AuthOptions.Section;
        if (string.IsNullOrWhiteSpace(auth.Issuer))
        {
            problems.Add($"{section}:Issuer must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(auth.Audience))
        {
            problems.Add($"{section}:Audience must not be empty.");
        }

        if (auth.MaxTokenLifetime <= TimeSpan.Zero)
        {
            problems.Add($"{section}:MaxTokenLifetime must be positive.");
        }

        if (auth.TokenLifetime <= TimeSpan.Zero || auth.TokenLifetime > auth.MaxTokenLifetime)
        {
            problems.Add($"{section}:TokenLifetime ({auth.TokenLifetime:c}) must be positive and at most {section}:MaxTokenLifetime ({auth.MaxTokenLifetime:c}).");
        }

        if (auth.UsesProvider)
        {
            ValidateProvider(auth, problems);
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(auth.WebClientId))
            {
                problems.Add($"{section}:WebClientId is the web pages' client at the identity provider; set {section}:Authority too, or remove it.");
            }

            try
            {
                LocalSigningKeys.From(auth);
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void ValidateProvider(AuthOptions auth, List<string> problems)
    {
        var section = AuthOptions.Section;
        if (!Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            problems.Add($"{section}:Authority must be the absolute https address of an OpenID Connect provider.");
        }
        else if (authority.Scheme == "http" && !(auth.AllowHttpLoopbackAuthority && authority.IsLoopback))
        {
            problems.Add(auth.AllowHttpLoopbackAuthority
                ? $"{section}:Authority may use http only on a loopback address (127.0.0.1, [::1], localhost); {authority.Host} is not one."
                : $"{section}:Authority must use https. For a provider on this machine (tests), set {section}:AllowHttpLoopbackAuthority=true.");
        }

        foreach (var algorithm in auth.ProviderAlgorithms.Where(a => !AuthOptions.AsymmetricAlgorithms.Contains(a)))
        {
            problems.Add($"{section}:ProviderAlgorithms may name only {string.Join(", ", AuthOptions.AsymmetricAlgorithms)}; '{algorithm}' is not one.");
        }

        if (auth.OffersWebSignIn && string.IsNullOrWhiteSpace(auth.WebScope))
        {
            problems.Add($"{section}:WebScope must name the scopes the web pages ask for (at least openid).");
        }

        if (auth.ValidIssuers.Exists(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{section}:ValidIssuers must not contain empty entries.");
        }

        if (auth.ProviderKeysMinimumRefreshInterval < ShortestRefresh)
        {
            problems.Add($"{section}:ProviderKeysMinimumRefreshInterval must be at least {ShortestRefresh:c}.");
        }

        if (auth.ProviderKeysRefreshInterval < auth.ProviderKeysMinimumRefreshInterval)
        {
            problems.Add($"{section}:ProviderKeysRefreshInterval must be at least {section}:ProviderKeysMinimumRefreshInterval.");
        }
    }
}
