namespace Ledger.Host.Writing;

/// <summary>Codes (organizations, countries, meetings) are compared in capitals; callers may send any case.</summary>
public static class Codes
{
    public static List<string>? Normalize(IReadOnlyList<string>? codes) => codes?.Select(c => c?.ToUpperInvariant()!).ToList();
}
