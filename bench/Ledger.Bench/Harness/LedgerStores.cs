using JasperFx;
using Ledger.Projections;
using Marten;

namespace Ledger.Bench.Harness;

/// <summary>
/// A Marten store with the ledger's own configuration (<see cref="LedgerStore.ConfigureLedger"/>: stream
/// identity, stable event names, the EventSealing hash-chain listener, inline and async projections),
/// opened by the harness itself where the measure is the store rather than the HTTP host: appends,
/// generating the synthetic ledgers, rebuilding projections, verifying.
/// </summary>
internal static class LedgerStores
{
    /// <summary>The schema already exists (the owner applied it, db-apply): the harness never changes it.</summary>
    public static DocumentStore Open(string connectionString) => Open(opts => opts.ConnectLedger(connectionString));

    /// <summary>A store connected as the product's <c>projections rebuild</c> connects (<see cref="LedgerStore.ConnectLedgerForRebuilds"/>).</summary>
    public static DocumentStore OpenForRebuilds(string connectionString) => Open(opts => opts.ConnectLedgerForRebuilds(connectionString));

    private static DocumentStore Open(Action<StoreOptions> connect)
    {
        // Marten prints to the console that a store without the async daemon will not run its async
        // projections. True and intended: the host's daemon runs them, or the harness rebuilds them.
        var console = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return DocumentStore.For(opts =>
            {
                connect(opts);
                opts.ConfigureLedger();
                opts.AutoCreateSchemaObjects = AutoCreate.None;
            });
        }
        finally
        {
            Console.SetOut(console);
        }
    }
}
