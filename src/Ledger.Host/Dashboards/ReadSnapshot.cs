using System.Data;
using System.Globalization;
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
    /// <summary>
    /// Runs <paramref name="read"/> in a snapshot of its own; with <paramref name="statementTimeout"/>, every statement
    /// of it times out on the server after that long (<c>statement_timeout</c>), whatever becomes of the client's
    /// cancel request (<paramref name="ct"/>).
    /// </summary>
    public static async Task<T> ReadAsync<T>(IDocumentStore store, Func<IQuerySession, Task<T>> read, CancellationToken ct, TimeSpan? statementTimeout = null)
    {
        await using var connection = store.Storage.Database.CreateConnection(ConnectionUsage.Read);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        if (statementTimeout is { } timeout)
        {
            await using var limit = connection.CreateCommand();
            limit.CommandText = string.Create(CultureInfo.InvariantCulture, $"set local statement_timeout = {Math.Max(1, (long)timeout.TotalMilliseconds)}");
            await limit.ExecuteNonQueryAsync(ct);
        }

        await using var session = store.QuerySession(SessionOptions.ForTransaction(transaction));
        return await read(session);
    }
}
