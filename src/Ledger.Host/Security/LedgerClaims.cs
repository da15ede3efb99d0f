using System.Security.Claims;
using Ledger.Domain.Common;

namespace Ledger.Host.Security;

/// <summary>The claims the ledger reads from a token.</summary>
public static class LedgerClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    /// <summary>The organization a focal point (or any caller) acts for, e.g. <c>FAO</c>.</summary>
    public const string Organization = "org";

    /// <summary>The token's own id; every accepted token carries one (<c>Ledger:Auth:RequireTokenId</c>).</summary>
    public const string TokenId = "jti";

    public static string? User(this ClaimsPrincipal principal) => principal.FindFirstValue(Subject);

    public static string? OrganizationCode(this ClaimsPrincipal principal) => principal.FindFirstValue(Organization);

    /// <summary>The actor recorded on the events a caller causes.</summary>
    public static Actor ToActor(this ClaimsPrincipal principal) =>
        new(principal.User() ?? throw new InvalidOperationException("An authenticated caller has no subject claim."),
            principal.OrganizationCode());
}
