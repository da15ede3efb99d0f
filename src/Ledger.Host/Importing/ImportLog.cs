namespace Ledger.Host.Importing;

internal static partial class ImportLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Another writer imported the same data concurrently; planning again")]
    public static partial void ConcurrentImport(ILogger logger);

    // The seed's line below, and the import verb's own report, say it to the operator.
    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Imported {Streams} streams ({Events} events); {Present} were already present")]
    public static partial void Imported(ILogger logger, int streams, int events, int present);

    /// <summary>At Information when the seed recorded something; a start that found everything present stays quiet (Debug).</summary>
    [LoggerMessage(EventId = 1003, Message = "Meetings' data seeded at start-up: {Created} streams created, {Present} already present")]
    public static partial void Seeded(ILogger logger, LogLevel level, int created, int present);
}
