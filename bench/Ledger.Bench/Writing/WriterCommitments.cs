using System.Globalization;
using Ledger.Bench.Harness;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Projections;
using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Bench.Writing;

/// <summary>
/// The commitments the write measurements append to. Each writer owns its own commitments and goes
/// round them, so no two writers ever touch one stream (no 409s to retry) and each stream only grows by
/// a few events per round: the write path reads a commitment's whole stream to decide, and a stream of
/// a few dozen events is what a real commitment has. The codes are Geneva 2022 matrix lines
/// (<c>GVA-2022-{group+writer}.{n}</c>), so review decisions at Astana 2024 are legal for them, as many
/// times as the secretariat likes: a review decision never changes a commitment's status.
/// </summary>
internal sealed class WriterCommitments
{
    public const int PerWriter = 256;

    private readonly int _group;

    private WriterCommitments(int group)
    {
        _group = group;
    }

    /// <summary>The commitment writer <paramref name="writer"/> appends to on its <paramref name="turn"/>-th write.</summary>
    public string Code(int writer, long turn) =>
        string.Create(CultureInfo.InvariantCulture, $"GVA-2022-{_group + writer}.{turn % PerWriter + 1}");

    /// <summary>Pledges every writer's commitments (status agreed), through the ledger's store, one transaction per writer.</summary>
    public static async Task<WriterCommitments> PledgeAsync(IDocumentStore store, int group, CancellationToken ct)
    {
        var commitments = new WriterCommitments(group);
        var by = new Actor("bench.setup", "UN");
        for (var w = 0; w < BenchOptions.Writers; w++)
        {
            await using var session = store.LightweightSession();
            for (var i = 0; i < PerWriter; i++)
            {
                var code = commitments.Code(w, i);
                session.Events.StartStream<Commitment>(code, new CommitmentPledged(
                    code, "GVA-2022", $"Benchmark matrix line {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
                    ["UN", "OIC"], ["FAO"], ["KAZ"], 1 + (w % 3), null, ["UN-2030"], new LocalDate(2027, 7, 1), Basis.Recorded,
                    new Dictionary<string, string>(), null, FactDate.Day(new LocalDate(2022, 7, 1)), by, SystemClock.Instance.GetCurrentInstant()));
            }

            await session.SaveChangesAsync(ct);
        }

        return commitments;
    }

    /// <summary>Every writer's commitments with their current stream versions (what a client would hold as ETags).</summary>
    public async Task<Dictionary<string, long>> VersionsAsync(string connectionString, CancellationToken ct)
    {
        var codes = Enumerable.Range(0, BenchOptions.Writers).SelectMany(w => Enumerable.Range(0, PerWriter).Select(i => Code(w, i))).ToArray();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select id, version from {LedgerStore.Schema}.mt_streams where id = any(@codes)", connection);
        command.Parameters.AddWithValue("codes", codes);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }

        return versions;
    }
}
