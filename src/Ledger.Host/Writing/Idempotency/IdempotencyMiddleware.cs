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
        if (!context.Request.Headers.TryGetValue(Header, out var values) || !HttpMethods.IsPost(context.Request.Method)
            || context.User.User() is not { } user)
        {
            await next(context);
            return;
        }

        // A key sent empty (or as blanks, which HTTP trims away) or twice is a mistake, never "no key": a retry would record twice.
        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || !key.All(c => c is >= '!' and <= '~'))
        {
            await Problems.BadRequest(Header, $"must be given once, as 1 to {MaxKeyLength} printable characters without spaces").ExecuteAsync(context);
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

        // The writer records the key, with the answer a retry will get, in the same transaction as the events.
        context.Features.Set(new IdempotencyFeature(id, key, user, requestHash));
        await next(context);
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
                    "Request recorded without its answer",
                    $"A request with Idempotency-Key '{earlier.Key}' was recorded without its answer; use a new key to repeat it.")
                .ExecuteAsync(context);
            return;
        }

        await new StoredAnswer(response, replayed: true).ExecuteAsync(context);
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
