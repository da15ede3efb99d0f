using System.Diagnostics;

namespace Ledger.Host.Writing;

/// <summary>
/// The correlation id of a request: the caller's <c>X-Correlation-Id</c> when it sends a usable one,
/// otherwise the W3C trace id (from <c>traceparent</c> or the one ASP.NET Core starts). It is echoed in
/// the response and stored on every event the request causes.
/// </summary>
public static class RequestContext
{
    public const string CorrelationHeader = "X-Correlation-Id";
    private const string CorrelationItem = "ledger.correlation-id";

    public static IApplicationBuilder UseCorrelationIds(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var supplied = context.Request.Headers[CorrelationHeader].ToString();
        var correlation = IsUsable(supplied)
            ? supplied
            : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        context.Items[CorrelationItem] = correlation;
        context.Response.Headers[CorrelationHeader] = correlation;
        return next(context);
    });

    public static string CorrelationId(this HttpContext context) =>
        context.Items.TryGetValue(CorrelationItem, out var value) && value is string id ? id : context.TraceIdentifier;

    private static bool IsUsable(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => c is >= '!' and <= '~');
}
