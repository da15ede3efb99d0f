using System.Diagnostics;
using System.Net;
using Ledger.Reliability.Tests.Support;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Reliability.Tests.Writing;

/// <summary>
/// R1: concurrent writers never overwrite each other. 50 writers, over real HTTP to a host process, race
/// on one commitment for 200 rounds: in each round every writer sends a review expecting the same version
/// (<c>If-Match</c>). Exactly one wins each version; the 49 others get 409 problem details, never a 5xx;
/// and the stream then holds exactly the winners' events, each once, at contiguous versions.
/// </summary>
public sealed class R1ConcurrentWriters(ITestOutputHelper output)
{
    private const string Code = "AST-2024-06";
    private const int Writers = 50;
    private const int Rounds = 200;

    [Fact]
    public async Task Fifty_writers_racing_for_each_version_leave_one_winner_per_version_and_lose_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("r1");
        await using var host = await LedgerProcess.StartAsync("r1", FaultHosts.Settings(database));
        using var client = host.CreateClient(TimeSpan.FromSeconds(60));
        var start = (await LedgerApi.GetAsync(client, $"/api/commitments/{Code}")).Body;
        var baseVersion = await StreamVersionAsync(database);

        var watch = Stopwatch.StartNew();
        var winners = new List<string>(Rounds);
        var statuses = new Dictionary<int, int>();
        var conflictsWithoutProblem = 0;
        var version = baseVersion;
        for (var round = 1; round <= Rounds; round++)
        {
            var expected = version;
            var answers = await Task.WhenAll(Enumerable.Range(1, Writers).Select(async writer =>
            {
                var remarks = $"R1 round {round} writer {writer}";
                return (Remarks: remarks, Answer: await LedgerApi.ReviewAsync(client, Code, remarks, ifMatch: expected));
            }));

            foreach (var (_, answer) in answers)
            {
                statuses[(int)answer.Status] = statuses.GetValueOrDefault((int)answer.Status) + 1;
                if (answer.Status == HttpStatusCode.Conflict && !answer.IsProblem)
                {
                    conflictsWithoutProblem++;
                }
            }

            var won = answers.Where(a => a.Answer.IsSuccess).ToList();
            won.Count.ShouldBe(1, $"round {round}: one writer wins version {expected + 1}; answers {Describe(statuses)}");
            won[0].Answer.Version.ShouldBe(expected + 1);
            winners.Add(won[0].Remarks);
            version = expected + 1;
        }

        var elapsed = watch.Elapsed;
        var stream = await ReviewsAfterAsync(database, baseVersion);
        var lost = winners.Except(stream.Select(s => s.Remarks)).Count();
        var duplicated = stream.GroupBy(s => s.Remarks).Count(g => g.Count() > 1);
        var strangers = stream.Select(s => s.Remarks).Except(winners).Count();
        var requests = Writers * Rounds;
        var fiveHundreds = statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
        Figures.Report(output, "R1", $"{Writers} writers × {Rounds} rounds with If-Match on one commitment ({requests} requests over HTTP, {elapsed.TotalSeconds:F1} s): " +
            $"{winners.Count} versions, 1 winner each; {statuses.GetValueOrDefault(409)} × 409 problem details, {fiveHundreds} × 5xx; " +
            $"stream holds {stream.Count} new events at versions {baseVersion + 1}–{version}, {lost} lost, {duplicated} duplicated");

        statuses.Keys.ShouldBe([200, 409], ignoreOrder: true, $"only winners and conflicts: {Describe(statuses)}; started from {start}");
        statuses[409].ShouldBe(requests - Rounds);
        conflictsWithoutProblem.ShouldBe(0, "every 409 is an application/problem+json");
        stream.Select(s => s.Version).ShouldBe(Enumerable.Range(1, Rounds).Select(i => baseVersion + i), "versions are contiguous");
        stream.Select(s => s.Remarks).ShouldBe(winners, "the stream holds exactly the winners' events, in the order they won");
        (await StreamVersionAsync(database)).ShouldBe(version);
    }

    private static string Describe(Dictionary<int, int> statuses) => string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}"));

    private static async Task<long> StreamVersionAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select version from ledger.mt_streams where id = @code", connection);
        command.Parameters.AddWithValue("code", Code);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<(long Version, string Remarks)>> ReviewsAfterAsync(TestDatabase database, long version)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select version, coalesce(data ->> 'remarks', '') from ledger.mt_events where stream_id = @code and version > @version order by version", connection);
        command.Parameters.AddWithValue("code", Code);
        command.Parameters.AddWithValue("version", version);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }
}
