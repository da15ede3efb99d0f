namespace Ledger.Domain.Common;

/// <summary>Who caused an event: the authenticated user and the organization they act for.</summary>
public sealed record Actor(string User, string? Organization)
{
    /// <summary>The ledger itself, when it imports the meetings' data it ships with.</summary>
    public static Actor Importer(string user = "ledger-import") => new(user, null);
}
