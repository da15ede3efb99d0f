using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Writing;

public sealed class CorrelationOptions
{
    public const string Section = "Ledger:Correlation";

    /// <summary>
    /// Addresses of proxies whose W3C <c>traceparent</c> the ledger continues (a gateway that starts the
    /// trace itself). From anyone else, a <c>traceparent</c> is only linked to, never adopted. Default: none.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];
}

/// <summary>The ledger's ids of a request, and the label its caller gave it.</summary>
/// <param name="CorrelationId">The request's W3C trace id (32 hex digits): the ledger's own, or a trusted proxy's.</param>
/// <param name="CausationId">The request's own span id (16 hex digits): with the trace id, this one request.</param>
/// <param name="CallerReference">The caller's <c>X-Correlation-Id</c>: its own label, meaningful only with the caller's user.</param>
public sealed record RequestIds(string CorrelationId, string CausationId, string? CallerReference);

/// <summary>
/// Fixes a request's ids before anything else runs. The correlation id stored on the events a request
/// causes is always the ledger's: the trace id of the request's activity, which continues a caller's
/// <c>traceparent</c> only when the caller is a trusted proxy. Any other caller's trace context starts a
/// new trace of the ledger's (linked to the caller's, for tracing tools), so no caller can give its events
/// another request's correlation id. The caller's <c>X-Correlation-Id</c> is kept apart, as its reference,
/// recorded next to the authenticated user. The response's <c>X-Correlation-Id</c> is the ledger's id,
/// which is also the <c>traceId</c> of any problem the request gets.
/// </summary>
public static class RequestContext
{
    public const string CorrelationHeader = "X-Correlation-Id";

    /// <summary>The event header that keeps the caller's <c>X-Correlation-Id</c>.</summary>
    public const string CallerReferenceHeader = "callerReference";

    /// <summary>The event header that keeps the request's <c>Idempotency-Key</c>.</summary>
    public const string IdempotencyKeyHeader = "idempotencyKey";

    public const int MaxCallerReferenceLength = 128;

    private static readonly ActivitySource Source = new("Ledger.Host");
    private const string ActivityName = "Ledger.Request";

    public static IApplicationBuilder UseCorrelationIds(this IApplicationBuilder app)
    {
        var trusted = app.ApplicationServices.GetRequiredService<IOptions<CorrelationOptions>>().Value.TrustedProxies
            .Select(a => IPAddress.TryParse(a, out var address) ? address : throw new InvalidOperationException(
                $"{CorrelationOptions.Section}:TrustedProxies holds '{a}', which is not an IP address."))
            .ToHashSet();

        return app.Use(async (context, next) =>
        {
            var inherited = Activity.Current;
            Activity? own = null;
            if (inherited is null || (HasParent(inherited) && !IsTrusted(context, trusted)))
            {
                // The request's activity is the root of the request: its parent can only come from the caller's headers.
                Activity.Current = null;
                ActivityLink[] links = inherited is null ? [] : [new ActivityLink(inherited.Context)];
                own = Source.StartActivity(ActivityName, ActivityKind.Server, default(ActivityContext), links: links)
                      ?? new Activity(ActivityName).Start();
            }

            var current = Activity.Current!;
            var supplied = context.Request.Headers[CorrelationHeader].ToString();
            var ids = new RequestIds(current.TraceId.ToHexString(), current.SpanId.ToHexString(), IsUsable(supplied) ? supplied : null);
            context.Features.Set(ids);
            context.Response.Headers[CorrelationHeader] = ids.CorrelationId;
            try
            {
                await next(context);
            }
            finally
            {
                if (own is not null)
                {
                    own.Stop();
                    Activity.Current = inherited;
                }
            }
        });
    }

    /// <summary>The request's ids, fixed when it arrived.</summary>
    public static RequestIds RequestIds(this HttpContext context) =>
        context.Features.Get<RequestIds>() ?? throw new InvalidOperationException("UseCorrelationIds must run before anything that reads the request's ids.");

    private static bool HasParent(Activity activity) => activity.ParentId is not null || activity.ParentSpanId != default;

    private static bool IsTrusted(HttpContext context, HashSet<IPAddress> trusted) =>
        trusted.Count > 0 && context.Connection.RemoteIpAddress is { } peer
                          && (trusted.Contains(peer) || (peer.IsIPv4MappedToIPv6 && trusted.Contains(peer.MapToIPv4())));

    private static bool IsUsable(string value) =>
        value.Length is > 0 and <= MaxCallerReferenceLength && value.All(c => c is >= '!' and <= '~');
}
