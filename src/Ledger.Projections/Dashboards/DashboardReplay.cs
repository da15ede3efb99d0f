using JasperFx.Events;
using Ledger.Domain.Commitments;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Ledger.Domain.Organizations;
using NodaTime;

namespace Ledger.Projections.Dashboards;

/// <summary>Every dashboard read model, as a replay of the events built them.</summary>
public sealed record DashboardSnapshot(
    long Position,
    IReadOnlyDictionary<string, DashboardLine> Lines,
    IReadOnlyDictionary<string, MeetingBoard> Boards,
    IReadOnlyDictionary<string, OrganizationPortfolio> Portfolios,
    IReadOnlyDictionary<string, CountryCoverage> Coverages,
    IReadOnlyDictionary<string, ReviewQueueView> ReviewQueues);

/// <summary>
/// The dashboards built in memory from events given in sequence order, through the same code the
/// async projections run: <see cref="DashboardLine.Fold"/> for the lines, and the stage-2 models'
/// <c>Fold</c> over the registrations and the final lines, routed by the same functions their identity
/// rules use (<see cref="MeetingBoard.BoardsOf"/>, <see cref="OrganizationPortfolio.PortfoliosOf"/>,
/// <see cref="CountryCoverage.CoveragesOf"/>, <see cref="ReviewQueueView.QueuesOf"/>). Used for boards
/// "as of" an instant, for dashboards served while a projection is rebuilt, and to prove that the
/// stored read models equal a rebuild. Given an instant of business time (<paramref name="inForceBy"/>), it applies
/// only the commitments' events in force by then (<see cref="EffectiveTime.From"/>, a named day read in the time zone
/// of the commitment's meeting), still in the order they were recorded; registrations are reference data and always
/// apply.
/// </summary>
public sealed class DashboardReplay(Instant? inForceBy = null)
{
    private readonly Dictionary<string, DashboardLine> _lines = new(StringComparer.Ordinal);
    private readonly List<object> _registrations = [];

    /// <summary>The time zone of each meeting registered so far, and of each commitment's meeting (by stream): what a named day is read in.</summary>
    private readonly Dictionary<string, DateTimeZone> _zones = new(StringComparer.Ordinal);

    /// <summary>The sequence of the last event applied.</summary>
    public long Position { get; private set; }

    public int EventCount { get; private set; }

    /// <summary>Moves the position past events the replay read but had no need to apply (other meetings' streams in an as-of board).</summary>
    public void ReachedPosition(long position) => Position = Math.Max(Position, position);

    /// <summary>Starts a commitment's line from a state folded earlier (a checkpoint), before the events after it are applied.</summary>
    public void Seed(string stream, DashboardLine line) => _lines[stream] = line;

    public void Apply(IEvent e) => Apply(e.Sequence, e.StreamKey ?? e.StreamId.ToString(), e.Data);

    /// <summary>Applies one event: its global sequence, its stream's key and its data.</summary>
    public void Apply(long sequence, string stream, object data)
    {
        Position = Math.Max(Position, sequence);
        if (inForceBy is { } by && !InForce(stream, data, by))
        {
            return;
        }

        EventCount++;
        switch (data)
        {
            case MeetingRegistered or OrganizationRegistered:
                _registrations.Add(data);
                break;

            case not null when DashboardLine.EventTypes.Contains(data.GetType()):
                if (DashboardLine.Fold(_lines.GetValueOrDefault(stream), data) is { } line)
                {
                    _lines[stream] = line;
                }
                else
                {
                    _lines.Remove(stream);
                }

                break;
        }
    }

    /// <summary>Whether a commitment's event is in force by <paramref name="by"/>; learns the time zones on the way.</summary>
    private bool InForce(string stream, object data, Instant by)
    {
        switch (data)
        {
            case MeetingRegistered e:
                _zones[StreamKeys.Meeting(e.Code)] = DateTimeZoneProviders.Tzdb.GetZoneOrNull(e.TimeZone) ?? DateTimeZone.Utc;
                return true;

            case CommitmentPledged e:
                // A pledge opens its stream, after its meeting's registration: the stream's days are read in that meeting's zone.
                _zones[stream] = _zones.GetValueOrDefault(StreamKeys.Meeting(e.Meeting)) ?? DateTimeZone.Utc;
                break;

            case not null when !DashboardLine.EventTypes.Contains(data.GetType()):
                return true;
        }

        return data is ILedgerEvent recorded
               && EffectiveTime.From(recorded, recorded.RecordedAt, _zones.GetValueOrDefault(stream) ?? DateTimeZone.Utc) <= by;
    }

    public DashboardSnapshot Build()
    {
        var boards = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var portfolios = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var coverages = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var queues = new Dictionary<string, List<object>>(StringComparer.Ordinal);

        // Registrations first, in the order they were recorded; then the lines, whose order does not matter. Each fact
        // goes where the projections' own routing (their identity rules) sends it.
        foreach (var fact in _registrations.Concat(_lines.Values))
        {
            RouteAll(boards, MeetingBoard.BoardsOf(fact), fact);
            RouteAll(portfolios, OrganizationPortfolio.PortfoliosOf(fact), fact);
            RouteAll(coverages, CountryCoverage.CoveragesOf(fact), fact);
            RouteAll(queues, ReviewQueueView.QueuesOf(fact), fact);
        }

        return new DashboardSnapshot(
            Position,
            new Dictionary<string, DashboardLine>(_lines, StringComparer.Ordinal),
            boards.ToDictionary(b => b.Key, b => MeetingBoard.Empty(b.Key).Fold(b.Value), StringComparer.Ordinal),
            portfolios.ToDictionary(p => p.Key, p => OrganizationPortfolio.Empty(p.Key).Fold(p.Value), StringComparer.Ordinal),
            coverages.ToDictionary(c => c.Key, c => CountryCoverage.Empty(c.Key).Fold(c.Value), StringComparer.Ordinal),
            queues.ToDictionary(q => q.Key, q => ReviewQueueView.Empty(q.Key).Fold(q.Value), StringComparer.Ordinal));
    }

    private static void RouteAll(Dictionary<string, List<object>> targets, IReadOnlyList<string> keys, object fact)
    {
        foreach (var key in keys)
        {
            if (!targets.TryGetValue(key, out var facts))
            {
                targets[key] = facts = [];
            }

            facts.Add(fact);
        }
    }
}
