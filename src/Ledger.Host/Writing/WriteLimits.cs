namespace Ledger.Host.Writing;

/// <summary>Body size limits: a command is small; a matrix import may be large.</summary>
public static class WriteLimits
{
    public const long CommandBodyBytes = 64 * 1024;
    public const long BatchBodyBytes = 1024 * 1024;
    public const long ImportBodyBytes = 4 * 1024 * 1024;
}
