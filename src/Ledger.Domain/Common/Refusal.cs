namespace Ledger.Domain.Common;

/// <summary>Why a command was refused. <see cref="Field"/> names the offending input when there is one.</summary>
public sealed record Refusal(string Reason, string? Field = null, RefusalKind Kind = RefusalKind.Invalid);

public enum RefusalKind
{
    /// <summary>The input is malformed or out of range.</summary>
    Invalid,

    /// <summary>The input is well formed but the commitment's state does not allow it.</summary>
    NotAllowed,

    /// <summary>Something the command refers to does not exist.</summary>
    Unknown,
}
