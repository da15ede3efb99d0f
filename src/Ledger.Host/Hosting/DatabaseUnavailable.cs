using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Ledger.Host.Hosting;

/// <summary>
/// Answers a request that failed because PostgreSQL could not be reached — the server down or
/// restarting, a connection cut mid-request, the pool exhausted — with <b>503</b> and
/// <c>Retry-After</c>, as an RFC 9457 problem, instead of a bare 500. What counts is Npgsql's own
/// judgement that the failure is transient (<see cref="NpgsqlException.IsTransient"/>), anywhere in the
/// exception's chain (Marten and Wolverine wrap it). Any other exception is left to the default 500 problem.
/// </summary>
public sealed partial class DatabaseUnavailable(IProblemDetailsService problems, ILogger<DatabaseUnavailable> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (TransientCause(exception) is not { } cause || httpContext.Response.HasStarted)
        {
            return false;
        }

        Unavailable(logger, httpContext.Request.Method, httpContext.Request.Path, cause.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = Problems.TypeBase + "database-unavailable",
                Title = "The database is unavailable",
                Detail = $"The ledger could not reach its database. Retry in {RetryAfterSeconds} seconds; " +
                         "a write sent with an Idempotency-Key is safe to retry with the same key.",
            },
        });
    }

    /// <summary>The transient database failure behind <paramref name="exception"/>, if that is what it is.</summary>
    public static NpgsqlException? TransientCause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } npgsql)
            {
                return npgsql;
            }

            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(TransientCause).FirstOrDefault(c => c is not null);
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Reason})")]
    private static partial void Unavailable(ILogger logger, string method, string path, string reason);
}
