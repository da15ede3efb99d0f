namespace Ledger.Host.Security;

/// <summary>The roles a caller's token can carry (claim <c>role</c>).</summary>
public static class LedgerRoles
{
    public const string Secretariat = "secretariat";
    public const string FocalPoint = "focal-point";
    public const string Auditor = "auditor";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Secretariat, FocalPoint, Auditor, Viewer];
}

/// <summary>Authorization policies; every endpoint names one.</summary>
public static class LedgerPolicies
{
    /// <summary>Dashboard and read-model reads: anyone when <c>Ledger:Dashboards:Public</c> is on, otherwise any role.</summary>
    public const string Read = "read";

    /// <summary>History, time travel, the ledger feed, export and verification.</summary>
    public const string Audit = "audit";

    /// <summary>Every write but progress reports.</summary>
    public const string Secretariat = "secretariat";

    /// <summary>Progress reports: the secretariat, or a focal point of a lead organization (checked per commitment).</summary>
    public const string ReportProgress = "report-progress";
}
