using System.Globalization;
using JasperFx.CommandLine;
using Ledger.Domain.Common;
using Ledger.Host.CommandLine;
using Ledger.Projections.Organizations;
using Marten;

namespace Ledger.Host.Security;

public sealed class TokenInput : NetCoreInput
{
    [Description("The caller's role: secretariat, focal-point, auditor or viewer")]
    [FlagAlias("role", 'r')]
    public string RoleFlag { get; set; } = LedgerRoles.Viewer;

    [Description("The organization the caller acts for (required for focal-point), e.g. FAO; it must be registered in the ledger")]
    [FlagAlias("org", 'o')]
    public string? OrgFlag { get; set; }

    [Description("The user name recorded on the events this token causes")]
    [FlagAlias("user", 'u')]
    public string? UserFlag { get; set; }

    [Description("How long the token stays valid, e.g. 01:00:00 (default Ledger:Auth:TokenLifetime; at most Ledger:Auth:MaxTokenLifetime)")]
    [FlagAlias("lifetime", 'l')]
    public string? LifetimeFlag { get; set; }
}

[Description("Mint a local bearer token signed with the current key of Ledger:Auth:SigningKey(s); the token is the last line printed", Name = "token")]
public sealed class TokenCommand : JasperFxAsyncCommand<TokenInput>
{
    public override async Task<bool> Execute(TokenInput input)
    {
        using var host = input.BuildHost();
        var issuer = host.Services.GetRequiredService<TokenIssuer>();
        var role = input.RoleFlag.Trim().ToLowerInvariant();
        var organization = input.OrgFlag?.Trim().ToUpperInvariant();
        var user = input.UserFlag ?? $"{role}{(organization is null ? string.Empty : "@" + organization.ToLowerInvariant())}";
        try
        {
            var lifetime = ParseLifetime(input.LifetimeFlag);
            issuer.Check(role, organization, lifetime);
            if (organization is not null && !await IsRegisteredAsync(host.Services, organization))
            {
                return Refuse($"The organization '{organization}' is not registered in this ledger; give the code of a registered organization (GET /api/dashboard/organizations/{{code}} shows one).");
            }

            var token = issuer.Issue(user, role, organization, lifetime);
            VerbOutput.Line($"Bearer token for {user} (role {role}" + (organization is null ? string.Empty : $", organization {organization}") + "):");
            Console.WriteLine(token);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            return Refuse(e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message);
        }
    }

    private static TimeSpan? ParseLifetime(string? text) =>
        text is null ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var lifetime) ? lifetime
        : throw new ArgumentException($"--lifetime '{text}' is not a duration such as 01:00:00 (hours:minutes:seconds).", nameof(text));

    /// <summary>Looks the code up in the organizations' read model; a ledger that cannot be read is reported, never taken as "unknown".</summary>
    private static async Task<bool> IsRegisteredAsync(IServiceProvider services, string organization)
    {
        try
        {
            await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
            return await session.LoadAsync<OrganizationView>(StreamKeys.Organization(organization)) is not null;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or Marten.Exceptions.MartenCommandException)
        {
            throw new InvalidOperationException(
                $"Cannot check the organization '{organization}' against the ledger's registered organizations: {e.Message.TrimEnd('.')}. " +
                "The verb reads them from the database of ConnectionStrings:Ledger (./run.sh token … provides it).", e);
        }
    }

    private static bool Refuse(string message)
    {
        return VerbOutput.Refuse(message);
    }
}
