using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Marten;
using NodaTime;

namespace Ledger.Bench.Writing;

/// <summary>What every measured write records: a review decision with remarks of a realistic length.</summary>
internal static class Sample
{
    public const string Remarks =
        "Reviewed at the 16th General Meeting: joint missions under way, reporting on schedule; " +
        "the working session asked both secretariats to report again before the next meeting.";

    /// <summary>The event body exactly as the store writes it, as the raw ceiling's row payload: same JSON, same size.</summary>
    public static string StoredJson(IDocumentStore store) =>
        store.Options.Serializer().ToJson(Review("GVA-2022-10.1", new Actor("bench.raw", "UN"), SystemClock.Instance.GetCurrentInstant()));

    /// <summary>The review decision every measured write records on <paramref name="code"/>, decided by <paramref name="by"/> at <paramref name="at"/>.</summary>
    public static ReviewDecisionRecorded Review(string code, Actor by, Instant at) => new(
        code, "AST-2024", ReviewRating.OnTrack, ReviewOutcome.Continue, Remarks, at.InUtc().Date.PlusYears(1), by, at);
}
