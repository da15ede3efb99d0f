using System.Diagnostics;
using System.Globalization;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Reporting;
using Ledger.Domain.Common;
using Ledger.Host.Dashboards;
using Ledger.Host.ProjectionOps;
using Ledger.Integration.Tests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Shouldly;
using Xunit.Abstractions;

namespace Ledger.Integration.Tests.Dashboards;

/// <summary>
/// Measures the board as of an instant and the rebuild proof against one raw ordered scan of the
/// events table, on 10,000 synthetic events. Asserts correctness and a loose bound; the numbers go to
/// the test output (docs/dashboards.md keeps a measured run).
/// </summary>
public sealed class DashboardSpeed(LedgerFixture fixture, ITestOutputHelper output) : DashboardTest(fixture)
{
    private const int Events = 10_000;

    [Fact]
    public async Task as_of_board_and_verification_on_ten_thousand_events()
    {
        await ImportShippedDataAsync();
        var codes = new List<string>();
        foreach (var (session, topics) in new[] { (1, 8), (2, 14), (3, 9) })
        {
            codes.AddRange(Enumerable.Range(1, topics).Select(t => string.Create(CultureInfo.InvariantCulture, $"GVA-2022-{session}.{t}")));
        }

        var written = 0;
        Instant middle = default;
        while (written < Events)
        {
            await using var session = Store.LightweightSession();
            var streams = new Dictionary<string, JasperFx.Events.IEventStream<Ledger.Projections.Commitments.CommitmentView>>();
            for (var i = 0; i < 500; i++, written++)
            {
                var code = codes[written % codes.Count];
                if (!streams.TryGetValue(code, out var stream))
                {
                    streams[code] = stream = await session.Events.FetchForWriting<Ledger.Projections.Commitments.CommitmentView>(code);
                }

                stream.AppendOne(new ProgressReported(
                    code, CommitmentStatus.InProgress, "Synthetic report " + written, [ProgressIndicators.FromPercentComplete(written % 100)], FactDate.Day(new LocalDate(2024, 7, 24)),
                    null, Secretariat, Now));
            }

            await session.SaveChangesAsync();
            Clock.AdvanceMinutes(1);
            if (written == Events / 2)
            {
                middle = Now;
            }
        }

        await CatchUpAsync();

        var raw = await TimeAsync(RawScanAsync);
        var asOfHalf = await TimeAsync(() => GetAsAuditorAsync<MeetingBoardResponse>(
            $"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(middle)}"));
        var asOfNow = await TimeAsync(() => GetAsAuditorAsync<MeetingBoardResponse>(
            $"/api/dashboard/meetings/GVA-2022?asOf={InstantPattern.ExtendedIso.Format(Now)}"));
        var live = await TimeAsync(() => GetAsync<MeetingBoardResponse>("/api/dashboard/meetings/GVA-2022"));
        var verify = await TimeAsync(() => Host.Services.GetRequiredService<ProjectionVerifier>().VerifyAsync());

        asOfHalf.Result.ByStatus["in-progress"].ShouldBe(31);
        asOfNow.Result.Total.ShouldBe(31);
        verify.Result.Matches.ShouldBeTrue();
        var total = await HighWaterMarkAsync();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{total} events: raw ordered scan {raw.Ms} ms; board as of the middle {asOfHalf.Ms} ms, as of now {asOfNow.Ms} ms ({asOfNow.Ms / Math.Max(1.0, raw.Ms):0.00}x raw); live board {live.Ms} ms; verify every projection {verify.Ms} ms ({verify.Ms / Math.Max(1.0, raw.Ms):0.00}x raw)"));

        // Loose: a busy CI machine must not fail this; the measured ratios are in docs/dashboards.md.
        asOfNow.Ms.ShouldBeLessThan((raw.Ms * 10) + 2000);
    }

    private async Task<int> RawScanAsync()
    {
        await using var connection = Host.Services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select seq_id, stream_id, type, data::text, timestamp from ledger.mt_events order by seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetString(3);
            rows++;
        }

        return rows;
    }

    private static async Task<(T Result, long Ms)> TimeAsync<T>(Func<Task<T>> work)
    {
        await work(); // warm
        var watch = Stopwatch.StartNew();
        var result = await work();
        return (result, watch.ElapsedMilliseconds);
    }
}
