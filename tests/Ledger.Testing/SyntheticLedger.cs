using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Marten;
using NodaTime;

namespace Ledger.Testing;

/// <summary>
/// A synthetic ledger, generated from a seed through the ledger's own append path (the store configured by
/// <c>ConfigureLedger</c>: hash chains sealed by the EventSealing listener, inline read models): commitments of
/// the meeting <see cref="Meeting"/>, each a pledge followed by review decisions, recorded a random
/// fraction of a second apart, a batch of streams per transaction.
/// </summary>
public static class SyntheticLedger
{
    public const string Meeting = "SYN-2030";

    private static readonly Actor Generator = new("synthetic.load", "SYN");

    /// <summary>The code of synthetic commitment <paramref name="stream"/> (1 and up).</summary>
    public static string Code(int stream) => FormattableString.Invariant($"{Meeting}-{stream}");

    /// <summary>
    /// Appends commitments <paramref name="firstStream"/> … <paramref name="firstStream"/> + <paramref name="streams"/> − 1,
    /// <paramref name="eventsPerStream"/> events each, <paramref name="streamsPerBatch"/> streams per transaction, the first
    /// recorded at <paramref name="from"/>. Returns the instant of the last event recorded.
    /// </summary>
    public static async Task<Instant> AppendAsync(
        IDocumentStore store, int streams, int eventsPerStream, Instant from,
        int firstStream = 1, int streamsPerBatch = 100, int seed = 20240722, CancellationToken ct = default)
    {
        var random = new Random(seed);
        var now = from;
        for (var batch = 0; batch * streamsPerBatch < streams; batch++)
        {
            await using var session = store.LightweightSession();
            for (var s = batch * streamsPerBatch; s < Math.Min(streams, (batch + 1) * streamsPerBatch); s++)
            {
                var code = Code(firstStream + s);
                var events = new List<object>(eventsPerStream)
                {
                    new CommitmentPledged(code, Meeting, $"Synthetic commitment {code}", CommitmentKind.MatrixLine, CommitmentStatus.Agreed,
                        ["UN"], [], [], 1 + random.Next(3), null, [], null, Basis.Recorded, new Dictionary<string, string>(), null,
                        FactDate.Day(new LocalDate(2030, 1, 1)), Generator, now),
                };
                for (var v = 1; v < eventsPerStream; v++)
                {
                    now += Duration.FromMilliseconds(random.Next(1, 1000));
                    events.Add(new ReviewDecisionRecorded(code, Meeting, (ReviewRating)random.Next(3), ReviewOutcome.Continue,
                        $"Synthetic review {v} — “quoted”, ünïcode & <markup>", null, Generator, now));
                }

                session.Events.StartStream(code, events);
            }

            await session.SaveChangesAsync(ct);
        }

        return now;
    }
}
