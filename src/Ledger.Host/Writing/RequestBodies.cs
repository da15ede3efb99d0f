using System.Text;
using Ledger.Domain.Common;
using Ledger.Host.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Ledger.Host.Writing;

/// <summary>
/// Reads the body of every <c>POST</c> once, before idempotency and the endpoint, and refuses what no route
/// can use, each refusal a problem that records nothing:
/// <list type="bullet">
/// <item>a body over the route's limit, declared (<c>Content-Length</c>) or sent in chunks without one: 413;</item>
/// <item>a body of another media type than the route accepts (<c>IAcceptsMetadata</c>), none declared, a
/// charset other than UTF-8, or any body on a route that takes none: 415;</item>
/// <item>no body where one is required; text that is not UTF-8; JSON whose shape is wrong (<see cref="JsonShape"/>);
/// CSV holding a character no text may hold: 400.</item>
/// </list>
/// The endpoint then reads the body from memory, already checked.
/// </summary>
public static class RequestBodies
{
    private const string Json = "application/json";
    private const string Csv = "text/csv";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IApplicationBuilder UseRequestBodyChecks(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) != true
            || !HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }

        var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
        var limit = endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? WriteLimits.CommandBodyBytes;
        var refusal = await ReadAsync(context, accepts, limit);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private static async Task<IResult?> ReadAsync(HttpContext context, IAcceptsMetadata? accepts, long limit)
    {
        var request = context.Request;
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
                      ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);
        if (!hasBody || request.ContentLength == 0)
        {
            return accepts is { IsOptional: false } ? Problems.InvalidBody("body", $"is required: send {Describe(accepts)}") : null;
        }

        if (accepts is null || accepts.ContentTypes.Count == 0)
        {
            return Problems.UnsupportedMediaType("This route takes no body.");
        }

        if (request.ContentLength > limit)
        {
            return Problems.BodyTooLarge(limit, request.ContentLength);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || accepts.ContentTypes.FirstOrDefault(t => type.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase)) is not { } mediaType
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return Problems.UnsupportedMediaType($"Send {Describe(accepts)} in UTF-8, with its Content-Type.");
        }

        byte[]? body;
        try
        {
            body = await ReadAllAsync(request, limit, context.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            // The server's own refusal while reading: a chunked body past the route's limit, a malformed chunk, a timeout.
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.BodyTooLarge(limit, null)
                : Results.Problem(statusCode: e.StatusCode, title: "The request body could not be read", detail: e.Message,
                    type: Problems.TypeBase + "invalid-json");
        }

        if (body is null)
        {
            return Problems.BodyTooLarge(limit, null);
        }

        request.Body = new MemoryStream(body, writable: false);
        var shape = mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) ? JsonShape.Check(body)
            : mediaType.Equals(Csv, StringComparison.OrdinalIgnoreCase) ? CheckText(body)
            : null;
        return shape is null ? null : Problems.InvalidBody(shape.Field ?? "body", shape.Reason);
    }

    /// <summary>CSV (or any text) as the import reads it: UTF-8, each line text that <see cref="TextRules"/> accepts.</summary>
    private static Refusal? CheckText(byte[] body)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body.AsSpan().StartsWith("\uFEFF"u8) ? body.AsSpan(3) : body);
        }
        catch (DecoderFallbackException)
        {
            return new Refusal("is not UTF-8 text", "body");
        }

        var line = 1;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            if (TextRules.Refuse(text[range], multiline: true) is { } reason)
            {
                return new Refusal(reason, $"line {line}");
            }

            line++;
        }

        return null;
    }

    /// <summary>The whole body, or null once it grows past <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAllAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Describe(IAcceptsMetadata accepts) =>
        accepts.ContentTypes.Contains(Json, StringComparer.OrdinalIgnoreCase) && accepts.ContentTypes.Count == 1
            ? "a JSON object (application/json)"
            : string.Join(" or ", accepts.ContentTypes);
}
