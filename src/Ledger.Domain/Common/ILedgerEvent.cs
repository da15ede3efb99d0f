using NodaTime;

namespace Ledger.Domain.Common;

/// <summary>Every event of the ledger says who recorded it and when the ledger recorded it.</summary>
public interface ILedgerEvent
{
    Actor RecordedBy { get; }

    Instant RecordedAt { get; }
}
