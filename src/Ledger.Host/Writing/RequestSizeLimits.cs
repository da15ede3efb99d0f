using Ledger.Host.Hosting;
using Microsoft.AspNetCore.Http.Metadata;

namespace Ledger.Host.Writing;

/// <summary>
/// Refuses a body whose declared length exceeds its endpoint's limit with a 413 problem before
/// anything reads it. Kestrel enforces the same limits on bodies sent without a length.
/// </summary>
public static class RequestSizeLimits
{
    public static IApplicationBuilder UseRequestSizeProblems(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (limit is { } max && context.Request.ContentLength > max)
        {
            return Results.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "Request body too large",
                    detail: $"This endpoint accepts bodies of at most {max} bytes; this one has {context.Request.ContentLength}.",
                    type: Problems.TypeBase + "body-too-large")
                .ExecuteAsync(context);
        }

        return next(context);
    });
}
