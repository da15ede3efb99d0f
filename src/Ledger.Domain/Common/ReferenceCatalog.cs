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

    public bool IsMeeting(string code) => meetings.ContainsKey(code);

    public bool IsOrganization(string code) => organizations.Contains(code);

    public bool IsFramework(string code) => frameworks.Contains(code);

    public WorkingSession? Session(string meeting, int number) =>
        meetings.TryGetValue(meeting, out var sessions) ? sessions.FirstOrDefault(s => s.Number == number) : null;
}
