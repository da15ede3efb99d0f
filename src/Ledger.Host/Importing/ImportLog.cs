namespace Ledger.Host.Importing;

internal static partial class ImportLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Another writer imported the same data concurrently; planning again")]
    public static partial void ConcurrentImport(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Imported {Streams} streams ({Events} events); {Present} were already present")]
    public static partial void Imported(ILogger logger, int streams, int events, int present);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Meetings' data seeded at start-up: {Created} streams created, {Present} already present")]
    public static partial void Seeded(ILogger logger, int created, int present);
}
