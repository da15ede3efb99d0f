namespace Ledger.Host.Hosting;

/// <summary>The <c>Ledger</c> configuration section.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>Import the shipped meetings' data when the host starts (idempotent).</summary>
    public bool SeedOnStartup { get; set; } = true;

    public DashboardOptions Dashboards { get; set; } = new();
}

public sealed class DashboardOptions
{
    /// <summary>Dashboard reads need no token.</summary>
    public bool Public { get; set; } = true;
}
