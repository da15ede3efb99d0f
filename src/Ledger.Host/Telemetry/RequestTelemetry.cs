using System.Diagnostics;
using Ledger.Host.Hosting;
using Ledger.Host.Writing;
using Ledger.Host.Writing.Idempotency;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Host.Telemetry;

/// <summary>
/// How a write ended, as <see cref="LedgerMetrics.Writes"/> counts it and the request's span says it
/// (<c>ledger.outcome</c>). A refusal is named by the problem type the answer carried (docs/api.md), else by its status.
/// </summary>
public static class WriteOutcome
{
    public const string Accepted = "accepted";
    public const string IdempotentReplay = "idempotent-replay";
    public const string Invalid = "invalid";
    public const string NotAllowed = "not-allowed";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate-limited";
    public const string Unauthenticated = "unauthenticated";
    public const string TooLarge = "too-large";
    public const string KeyReused = "key-reused";
    public const string Unavailable = "unavailable";
    public const string Error = "error";

    public static string Of(int status, string? problemType, bool replayed)
    {
        if (status is >= 200 and < 300)
        {
            return replayed ? IdempotentReplay : Accepted;
        }

        var kind = problemType is not null && problemType.StartsWith(Problems.TypeBase, StringComparison.Ordinal)
            ? problemType[Problems.TypeBase.Length..]
            : null;
        return kind switch
        {
            "invalid-request" or "invalid-json" or "invalid-query" or "import-refused" => Invalid,
            "not-allowed" => NotAllowed,
            "forbidden" => Forbidden,
            "not-found" => NotFound,
            "conflict" => Conflict,
            "rate-limited" => RateLimited,
            "unauthorized" => Unauthenticated,
            "body-too-large" => TooLarge,
            "idempotency-key-reused" => KeyReused,
            "database-unavailable" => Unavailable,
            _ => status switch
            {
                StatusCodes.Status401Unauthorized => Unauthenticated,
                StatusCodes.Status403Forbidden => Forbidden,
                StatusCodes.Status404NotFound => NotFound,
                StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed => Conflict,
                StatusCodes.Status413PayloadTooLarge => TooLarge,
                StatusCodes.Status422UnprocessableEntity => NotAllowed,
                StatusCodes.Status429TooManyRequests => RateLimited,
                StatusCodes.Status503ServiceUnavailable => Unavailable,
                < 500 => Invalid,
                _ => Error,
            },
        };
    }
}

/// <summary>
/// What every request carries into traces and logs, and what every write adds: the ledger's correlation id on the
/// request's span (<c>ledger.correlation_id</c>) and in a logging scope (<c>CorrelationId</c>, beside the trace and
/// span ids of every log line); for a write (an endpoint marked <see cref="LedgerWriteAttribute"/>), once it is
/// answered, its outcome and the commitment (or meeting) it was about on the span, the outcome on ASP.NET Core's
/// <c>http.server.request.duration</c>, and one count of <see cref="LedgerMetrics.Writes"/>. Runs after the
/// correlation id is fixed and before authentication and the rate limiter, so their refusals are counted too.
/// </summary>
internal sealed class RequestTelemetry(RequestDelegate next, LedgerMetrics metrics, ILogger<RequestTelemetry> logger)
{
    public const string CorrelationTag = "ledger.correlation_id";
    public const string CommitmentTag = "ledger.commitment";
    public const string MeetingTag = "ledger.meeting";

    private const string ProblemTypeItem = "ledger.problem-type";

    private static readonly Func<ILogger, string, IDisposable?> CorrelationScope =
        LoggerMessage.DefineScope<string>("CorrelationId:{CorrelationId}");

    /// <summary>Notes the type of the problem a request is answered with (every problem answer passes through the problem details service).</summary>
    public static void NoteProblem(ProblemDetailsContext context) =>
        context.HttpContext.Items[ProblemTypeItem] = context.ProblemDetails.Type;

    public async Task InvokeAsync(HttpContext context)
    {
        var correlation = context.RequestIds().CorrelationId;
        var span = Activity.Current;
        span?.SetTag(CorrelationTag, correlation);
        using var scope = CorrelationScope(logger, correlation);
        if (context.GetEndpoint() is not RouteEndpoint { } endpoint || endpoint.Metadata.GetMetadata<LedgerWriteAttribute>() is null)
        {
            await next(context);
            return;
        }

        string? failed = null;
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            failed = DatabaseUnavailable.TransientCause(e) is null ? WriteOutcome.Error : WriteOutcome.Unavailable;
            throw;
        }
        finally
        {
            var response = context.Response;
            var outcome = failed ?? WriteOutcome.Of(
                response.StatusCode,
                context.Items.TryGetValue(ProblemTypeItem, out var type) ? type as string : null,
                response.Headers[IdempotencyMiddleware.ReplayedHeader] == "true");
            var route = endpoint.RoutePattern.RawText ?? context.Request.Path.Value ?? string.Empty;
            metrics.RecordWrite(route, outcome);
            context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new(LedgerMetrics.OutcomeAttribute, outcome));
            if (span is not null)
            {
                span.SetTag(LedgerMetrics.OutcomeAttribute, outcome);
                TagSubject(span, context, route);
            }
        }
    }

    /// <summary>The commitment a write was about (from its route, or where a pledge's answer says it was created), or the meeting of a batch.</summary>
    private static void TagSubject(Activity span, HttpContext context, string route)
    {
        var code = context.GetRouteValue("code") as string;
        if (route.StartsWith("/api/meetings/", StringComparison.Ordinal))
        {
            span.SetTag(MeetingTag, code?.ToUpperInvariant());
            return;
        }

        if (code is null && context.Response.StatusCode == StatusCodes.Status201Created
            && context.Response.Headers.Location.ToString() is { Length: > 0 } created)
        {
            code = created[(created.LastIndexOf('/') + 1)..];
        }

        if (code is not null)
        {
            span.SetTag(CommitmentTag, code.ToUpperInvariant());
        }
    }
}
