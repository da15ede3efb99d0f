using System.Net;
using System.Text;
using Ledger.Host.Security;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Writing;

/// <summary>
/// R2: a retried request never records twice. One caller sends the same review with the same
/// Idempotency-Key 100 times at once, over real HTTP to a host process: exactly one event is recorded;
/// every answer is that write's answer or a 409 for a twin still in flight, never a 5xx. The same key
/// with another body is refused (422); another caller's identical key is a request of its own.
/// </summary>
public sealed class R2IdempotentRetries(ITestOutputHelper output)
{
    private const string Code = "AST-2024-06";
    private const int Retries = 100;

    [Fact]
    public async Task The_same_key_and_body_sent_100_times_at_once_records_one_event()
    {
        await using var database = await TestDatabase.CreateAsync("r2");
        await using var host = await LedgerProcess.StartAsync("r2", FaultHosts.Settings(database));
        using var client = host.CreateClient();
        var first = FaultHosts.Token(LedgerRoles.Secretariat, user: "officer.one");
        var second = FaultHosts.Token(LedgerRoles.Secretariat, user: "officer.two");
        const string body = """{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":"R2 retry storm."}""";
        var before = await StreamLengthAsync(database);

        var answers = await Task.WhenAll(Enumerable.Range(0, Retries).Select(_ => PostAsync(client, first, "r2-key", body)));

        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK || a.Status == HttpStatusCode.Conflict, string.Join(", ", answers.Select(a => (int)a.Status).Distinct()));
        var recorded = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        recorded.ShouldNotBeEmpty();
        recorded.Select(a => a.Body).Distinct().Count().ShouldBe(1, "every 200 is the first write's answer, byte for byte");
        (await StreamLengthAsync(database)).ShouldBe(before + 1);

        var reused = await PostAsync(client, first, "r2-key", body.Replace("R2 retry storm.", "Another text.", StringComparison.Ordinal));
        reused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reused.ContentType.ShouldBe("application/problem+json");

        var other = await PostAsync(client, second, "r2-key", body);
        other.Status.ShouldBe(HttpStatusCode.OK, other.Body);
        (await StreamLengthAsync(database)).ShouldBe(before + 2);

        var replayed = recorded.Count(a => a.Replayed);
        Figures.Report(output, "R2", $"{Retries} parallel sends of one Idempotency-Key and body -> 1 event " +
            $"({recorded.Count - replayed} recorded, {replayed} replayed the first answer, {answers.Count(a => a.Status == HttpStatusCode.Conflict)} × 409 while in flight, 0 × 5xx); " +
            $"same key, other body -> {(int)reused.Status}; another caller's same key -> {(int)other.Status}, recorded on its own");
    }

    private static async Task<Answer> PostAsync(HttpClient client, string token, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/commitments/{Code}/reviews")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = FaultHosts.Bearer(token);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        return new Answer(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync(),
            response.Headers.Contains("Idempotent-Replayed"));
    }

    private static async Task<long> StreamLengthAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_events where stream_id = @code", connection);
        count.Parameters.AddWithValue("code", Code);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body, bool Replayed);
}
