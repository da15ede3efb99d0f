using System.Security.Cryptography;
using System.Text;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Marten;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Writing.Idempotency;

public sealed class IdempotencyOptions
{
    public const string Section = "Ledger:Idempotency";

    /// <summary>How long a key is remembered; never less than 24 hours.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(48);
}

/// <summary>
/// Honors <c>Idempotency-Key</c> on writes: a retry with the same key and body gets the first
/// response back and records nothing; the same key with a different request gets 422.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;

    public async Task InvokeAsync(HttpContext context, IDocumentStore store, IOptions<IdempotencyOptions> options)
    {
        var key = context.Request.Headers[Header].ToString();
        if (key.Length == 0 || !HttpMethods.IsPost(context.Request.Method) || context.User.User() is not { } user)
        {
            await next(context);
            return;
        }

        if (key.Length > MaxKeyLength || !key.All(c => c is >= '!' and <= '~'))
        {
            await Problems.BadRequest(Header, $"must be 1 to {MaxKeyLength} printable characters without spaces").ExecuteAsync(context);
            return;
        }

        var requestHash = await HashRequestAsync(context.Request);
        var id = Sha256Hex(user + "\n" + key);

        await using (var query = store.QuerySession())
        {
            if (await query.LoadAsync<IdempotentRequest>(id, context.RequestAborted) is { } earlier)
            {
                await AnswerRetryAsync(context, earlier, requestHash);
                return;
            }
        }

        var feature = new IdempotencyFeature(id, key, user, requestHash);
        context.Features.Set(feature);

        // Keep the response so it can be stored for retries once the write has committed.
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        if (feature.Committed)
        {
            await RememberAsync(store, id, context, buffer.ToArray());
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task AnswerRetryAsync(HttpContext context, IdempotentRequest earlier, string requestHash)
    {
        if (earlier.RequestHash != requestHash)
        {
            await Results.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused for a different request",
                    detail: $"The key '{earlier.Key}' was first used for another request (method, path or body differ). Use a new key for a new request.",
                    type: Problems.TypeBase + "idempotency-key-reused")
                .ExecuteAsync(context);
            return;
        }

        if (earlier.Response is not { } response)
        {
            await Problems.Conflict(
                    "Request still being recorded",
                    $"A request with Idempotency-Key '{earlier.Key}' has been recorded and its answer is not stored yet; retry in a moment.")
                .ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        if (response.Location is not null)
        {
            context.Response.Headers.Location = response.Location;
        }

        if (response.ETag is not null)
        {
            context.Response.Headers.ETag = response.ETag;
        }

        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    private static async Task RememberAsync(IDocumentStore store, string id, HttpContext context, byte[] body)
    {
        await using var session = store.LightweightSession();
        var stored = await session.LoadAsync<IdempotentRequest>(id, CancellationToken.None);
        if (stored is null)
        {
            return;
        }

        var response = context.Response;
        stored.Response = new StoredResponse(
            response.StatusCode,
            response.ContentType,
            response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null,
            Encoding.UTF8.GetString(body));
        session.Store(stored);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
