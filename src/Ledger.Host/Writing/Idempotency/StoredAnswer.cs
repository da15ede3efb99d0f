namespace Ledger.Host.Writing.Idempotency;

/// <summary>
/// Writes a <see cref="StoredResponse"/>: the answer of a committed write, the first time and on every
/// retry with the same <c>Idempotency-Key</c> alike, byte for byte.
/// </summary>
public sealed class StoredAnswer(StoredResponse response, bool replayed = false) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        http.StatusCode = response.StatusCode;
        http.ContentType = response.ContentType;
        if (response.Location is not null)
        {
            http.Headers.Location = response.Location;
        }

        if (response.ETag is not null)
        {
            http.Headers.ETag = response.ETag;
        }

        if (replayed)
        {
            http.Headers[IdempotencyMiddleware.ReplayedHeader] = "true";
        }

        await http.WriteAsync(response.Body, httpContext.RequestAborted);
    }
}
