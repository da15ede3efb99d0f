using Ledger.Domain.Meetings;

namespace Ledger.Domain.Common;

/// <summary>
/// The reference data a decision checks codes against: meetings with their working sessions,
/// organizations and frameworks. A plain snapshot, so decisions stay pure.
/// </summary>
public sealed class ReferenceCatalog(
    IReadOnlyDictionary<string, IReadOnlyList<WorkingSession>> meetings,
    IReadOnlySet<string> organizations,
    IReadOnlySet<string> frameworks)
{
    public static ReferenceCatalog Empty { get; } = new(
        new Dictionary<string, IReadOnlyList<WorkingSession>>(), new HashSet<string>(), new HashSet<string>());

    public bool IsMeeting(string? code) => code is not null && meetings.ContainsKey(code);

    public bool IsOrganization(string? code) => code is not null && organizations.Contains(code);

    public bool IsFramework(string? code) => code is not null && frameworks.Contains(code);

    public WorkingSession? Session(string meeting, int number) =>
        meetings.TryGetValue(meeting, out var sessions) ? sessions.FirstOrDefault(s => s.Number == number) : null;

    /// <summary>
    /// Builds the catalog from registered meetings. A meeting registered without working sessions of
    /// its own (its agenda is not known) files its commitments under the sessions of the meeting that
    /// reviews it: Geneva 2022's matrix lines are reviewed in Astana 2024's session of the same number.
    /// </summary>
    public static ReferenceCatalog From(
        IEnumerable<MeetingRegistered> registered, IEnumerable<string> organizations, IEnumerable<string> frameworks) =>
        From(registered.Select(m => new MeetingAgenda(m.Code, m.Sessions, m.Reviews)), organizations, frameworks);

    /// <inheritdoc cref="From(IEnumerable{MeetingRegistered}, IEnumerable{string}, IEnumerable{string})"/>
    public static ReferenceCatalog From(
        IEnumerable<MeetingAgenda> registered, IEnumerable<string> organizations, IEnumerable<string> frameworks)
    {
        var all = registered.ToList();
        var sessions = all.ToDictionary(
            m => m.Code,
            m => m.Sessions.Count > 0
                ? m.Sessions
                : all.FirstOrDefault(r => r.Reviews == m.Code)?.Sessions ?? [],
            StringComparer.Ordinal);
        return new ReferenceCatalog(
            sessions, organizations.ToHashSet(StringComparer.Ordinal), frameworks.ToHashSet(StringComparer.Ordinal));
    }
}

/// <summary>What the catalog needs to know of a meeting: its code, its own sessions and the meeting it reviews.</summary>
public sealed record MeetingAgenda(string Code, IReadOnlyList<WorkingSession> Sessions, string? Reviews);
