namespace Ledger.Domain.Common;

/// <summary>
/// Every stream is keyed by a readable natural key, so an auditor reading the raw events table sees
/// <c>AST-2024-06</c>, not a GUID. Reference streams carry a prefix; commitment codes never contain
/// a colon, so the two can never collide.
/// </summary>
public static class StreamKeys
{
    public static string Commitment(string code) => code;

    public static string Meeting(string code) => "meeting:" + code;

    public static string Organization(string code) => "organization:" + code;

    public static string Framework(string code) => "framework:" + code;
}
