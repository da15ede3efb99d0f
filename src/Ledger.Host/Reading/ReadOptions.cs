using Ledger.Host.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Host.Reading;

/// <summary>
/// The <c>Ledger:Reads</c> configuration section: the budget of the dashboards' reads (docs/dashboards.md#read-budgets).
/// Each running read holds one database connection, so together the two lanes may hold at most
/// <see cref="MaxConcurrentReplays"/> + <see cref="MaxConcurrentReads"/> connections; that sum must stay at or
/// under half of the connection string's <c>Maximum Pool Size</c>, so writers always find a connection.
/// </summary>
public sealed class ReadOptions
{
    public const string Section = "Ledger:Reads";

    /// <summary>Replays of the events (a board as of an instant, a dashboard whose projection lags) running at once.</summary>
    public int MaxConcurrentReplays { get; set; } = 2;

    /// <summary>Replays waiting for one of those slots; one more is answered 503 at once.</summary>
    public int ReplayQueue { get; set; } = 8;

    /// <summary>Read-model reads (a document, a page of documents) running at once; replays never take these slots.</summary>
    public int MaxConcurrentReads { get; set; } = 16;

    /// <summary>Read-model reads waiting for one of those slots; one more is answered 503 at once.</summary>
    public int ReadQueue { get; set; } = 200;

    /// <summary>How long one read may take from its arrival, waiting included; then it is cancelled (its database command too) and answered 503.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The connections the reads may hold at most.</summary>
    public int Connections => MaxConcurrentReplays + MaxConcurrentReads;

    /// <summary>Why these settings cannot serve next to writers on <paramref name="connectionString"/>, or null when they can.</summary>
    public string? Problem(string? connectionString)
    {
        if (MaxConcurrentReplays < 1 || MaxConcurrentReads < 1)
        {
            return $"{Section}:MaxConcurrentReplays and {Section}:MaxConcurrentReads must be 1 or more.";
        }

        if (ReplayQueue < 0 || ReadQueue < 0)
        {
            return $"{Section}:ReplayQueue and {Section}:ReadQueue must be 0 or more.";
        }

        if (Timeout <= TimeSpan.Zero)
        {
            return $"{Section}:Timeout must be positive.";
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        var pool = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        return Connections * 2 > pool
            ? $"{Section}:MaxConcurrentReplays + {Section}:MaxConcurrentReads ({Connections}) must be at most half of the connection string's " +
              $"Maximum Pool Size ({pool}), so that writers always find a connection: lower them or raise Maximum Pool Size."
            : null;
    }
}

/// <summary>Refuses to start a host whose read budget does not fit beside its writers (<see cref="ReadOptions.Problem"/>).</summary>
public sealed class ReadOptionsValidation(IConfiguration configuration) : IValidateOptions<ReadOptions>
{
    public ValidateOptionsResult Validate(string? name, ReadOptions options) =>
        options.Problem(configuration.GetConnectionString(LedgerHosting.ConnectionStringName)) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
