using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ledger.Bench.Harness;
using Ledger.Host.Security;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Bench.Writing;

/// <summary>
/// The secretariat's review decision end to end: <c>POST /api/commitments/{code}/reviews</c> over HTTP
/// to the host process, by 16 clients, each with its own secretariat token (a real JWT, signed with the
/// host's key) and its own commitments. Each request carries <c>If-Match</c> with the version the
/// client last saw, as a client that read the commitment's ETag does, and takes the new version from
/// the answer's ETag. The host validates the token, the role policy, the body, the expected version,
/// decides, seals the event into the hash chain and updates the inline read model in one transaction.
/// With <c>withIdempotencyKey</c>, every request also carries a new <c>Idempotency-Key</c>.
/// </summary>
internal sealed class HttpReviews : IDisposable
{
    private readonly HttpClient _client;
    private readonly WriterCommitments _commitments;
    private readonly string[] _tokens;
    private readonly byte[] _body;

    public HttpReviews(Uri host, TokenIssuer issuer, WriterCommitments commitments)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 4 * BenchOptions.Writers,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        })
        {
            BaseAddress = host,
            Timeout = TimeSpan.FromMinutes(1),
        };
        _commitments = commitments;
        _tokens = [.. Enumerable.Range(0, BenchOptions.Writers).Select(w => issuer.Issue($"bench.secretariat.{w}", LedgerRoles.Secretariat, "UN"))];
        var nextReview = LocalDatePattern.Iso.Format(SystemClock.Instance.GetCurrentInstant().InUtc().Date.PlusYears(1));
        _body = Encoding.UTF8.GetBytes(
            $$"""{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":"{{Sample.Remarks}}","nextReviewDue":"{{nextReview}}"}""");
    }

    /// <summary>One review by each client, not measured: the host generates its endpoint code on first use.</summary>
    public async Task WarmUpAsync(Dictionary<string, long> versions, CancellationToken ct)
    {
        var turns = new long[BenchOptions.Writers];
        for (var w = 0; w < BenchOptions.Writers; w++)
        {
            if (await PostAsync(w, turns, versions, idempotent: false, ct) is { } refusal)
            {
                throw new InvalidOperationException($"the host refused a review decision while warming up: {refusal}");
            }
        }
    }

    public Task<LoadResult> RunAsync(
        Dictionary<string, long> versions, bool withIdempotencyKey, int clients, BenchOptions options, CpuMeter meter, CancellationToken ct,
        WriterCommitments? commitments = null)
    {
        var turns = new long[clients];
        return LoadTest.RunAsync(clients, options.Warmup, options.Duration, meter,
            (w, token) => PostAsync(w, turns, versions, withIdempotencyKey, token, commitments), ct);
    }

    public void Dispose() => _client.Dispose();

    private async Task<string?> PostAsync(
        int writer, long[] turns, Dictionary<string, long> versions, bool idempotent, CancellationToken ct, WriterCommitments? commitments = null)
    {
        var code = (commitments ?? _commitments).Code(writer, turns[writer]++);
        long version;
        lock (versions)
        {
            version = versions[code];
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/commitments/{code}/reviews", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[writer]);
        request.Headers.TryAddWithoutValidation("If-Match", string.Create(CultureInfo.InvariantCulture, $"\"{version}\""));
        if (idempotent)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        request.Content = new ByteArrayContent(_body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.SendAsync(request, ct);
        var answer = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"{(int)response.StatusCode} {answer[..Math.Min(answer.Length, 300)]}";
        }

        var etag = response.Headers.ETag?.Tag.Trim('"');
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var next))
        {
            return $"200 without a usable ETag ({etag ?? "none"})";
        }

        lock (versions)
        {
            versions[code] = next;
        }

        return null;
    }
}
