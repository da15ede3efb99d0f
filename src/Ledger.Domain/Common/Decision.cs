namespace Ledger.Domain.Common;

/// <summary>
/// The outcome of a pure decision: either the events to record, or the refusals explaining why
/// nothing may be recorded. Never both.
/// </summary>
public sealed class Decision
{
    private Decision(IReadOnlyList<object> events, IReadOnlyList<Refusal> refusals)
    {
        Events = events;
        Refusals = refusals;
    }

    public IReadOnlyList<object> Events { get; }

    public IReadOnlyList<Refusal> Refusals { get; }

    public bool IsRefused => Refusals.Count > 0;

    public static Decision Accept(params object[] events) => new(events, []);

    public static Decision Refuse(Refusal refusal) => new([], [refusal]);

    public static Decision Refuse(IReadOnlyList<Refusal> refusals) =>
        refusals.Count == 0
            ? throw new ArgumentException("A refusal needs at least one reason.", nameof(refusals))
            : new([], refusals);

    public override string ToString() =>
        IsRefused
            ? "Refused: " + string.Join("; ", Refusals.Select(r => r.Field is null ? r.Reason : $"{r.Field}: {r.Reason}"))
            : "Accepted: " + string.Join(", ", Events.Select(e => e.GetType().Name));
}
