using JasperFx.CommandLine;
using Spectre.Console;

namespace Ledger.Host.Security;

public sealed class TokenInput : NetCoreInput
{
    [Description("The caller's role: secretariat, focal-point, auditor or viewer")]
    [FlagAlias("role", 'r')]
    public string RoleFlag { get; set; } = LedgerRoles.Viewer;

    [Description("The organization the caller acts for (required for focal-point), e.g. FAO")]
    [FlagAlias("org", 'o')]
    public string? OrgFlag { get; set; }

    [Description("The user name recorded on the events this token causes")]
    [FlagAlias("user", 'u')]
    public string? UserFlag { get; set; }
}

[Description("Mint a local bearer token signed with Ledger:Auth:SigningKey; the token is the last line printed", Name = "token")]
public sealed class TokenCommand : JasperFxCommand<TokenInput>
{
    public override bool Execute(TokenInput input)
    {
        using var host = input.BuildHost();
        var issuer = host.Services.GetRequiredService<TokenIssuer>();
        var role = input.RoleFlag.Trim().ToLowerInvariant();
        var organization = input.OrgFlag?.Trim().ToUpperInvariant();
        var user = input.UserFlag ?? $"{role}{(organization is null ? string.Empty : "@" + organization.ToLowerInvariant())}";
        try
        {
            var token = issuer.Issue(user, role, organization);
            AnsiConsole.MarkupLine($"[grey]Bearer token for [bold]{Markup.Escape(user)}[/] (role {Markup.Escape(role)}"
                + (organization is null ? string.Empty : $", organization {Markup.Escape(organization)}") + "):[/]");
            Console.WriteLine(token);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return false;
        }
    }
}
