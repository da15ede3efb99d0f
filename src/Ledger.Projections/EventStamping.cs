using Ledger.Domain.Common;
using Marten;

namespace Ledger.Projections;

/// <summary>
/// Makes the event store's own metadata agree with what each event says of itself: the stored
/// timestamp is the event's <see cref="ILedgerEvent.RecordedAt"/> (the ledger's injected clock, never
/// the database server's) and the stored user name is its <see cref="ILedgerEvent.RecordedBy"/>.
/// Time-travel queries can then use the indexed timestamp column and stay deterministic under a
/// fake clock.
/// </summary>
public sealed class EventStamping : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        foreach (var stream in session.PendingChanges.Streams())
        {
            foreach (var e in stream.Events)
            {
                if (e.Data is ILedgerEvent recorded)
                {
                    e.Timestamp = recorded.RecordedAt.ToDateTimeOffset();
                    e.UserName = recorded.RecordedBy.User;
                }
            }
        }

        return Task.CompletedTask;
    }
}
