using System.Data;
using Marten;
using Marten.Storage;
using SessionOptions = Marten.Services.SessionOptions;

namespace Ledger.Host.Dashboards;

/// <summary>
/// One repeatable-read transaction on a connection of its own, never committed (it only reads): everything read in
/// it is one snapshot of the database. Disposing the transaction rolls it back, and the connection goes back to the
/// pool, however the read ends (a cancelled command included).
/// </summary>
public static class ReadSnapshot
{
    public static async Task<T> ReadAsync<T>(IDocumentStore store, Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection(ConnectionUsage.Read);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));
        return await read(session);
    }
}
