using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Marten.Events.Projections;
using NodaTime;

namespace Ledger.Projections.Dashboards;

/// <summary>The meeting a board belongs to, as it was registered.</summary>
public sealed record BoardMeeting(
    string Code, string Title, string City, FactDate Opens, LocalDate? StartDate, LocalDate? EndDate, string? Reviews);

public sealed record SessionTitle(int Number, string Title);

/// <summary>One row of a board: a working session (or none, <see cref="Number"/> null) and its commitments by status.</summary>
public sealed record SessionCounts(int? Number, string? Title, StatusCounts ByStatus);

/// <summary>
/// A meeting's status board: its commitments (as <see cref="DashboardLine"/>s) and their counts by
/// status, working session, kind and basis. <see cref="Id"/> is the meeting code. Everything here is a
/// function of the meeting's registration, the registration of the meeting that reviews it and the
/// current lines, so it does not matter in which order or batches they arrive.
/// </summary>
public sealed record MeetingBoard
{
    public const string Unassigned = "Not assigned to a working session";

    public required string Id { get; init; }

    /// <summary>Null until the meeting's registration has been projected.</summary>
    public BoardMeeting? Meeting { get; init; }

    public SessionTitle[] OwnSessions { get; init; } = [];

    /// <summary>The meeting that reviews this one, whose sessions file a meeting registered without sessions of its own.</summary>
    public string? ReviewedBy { get; init; }

    public SessionTitle[] ReviewerSessions { get; init; } = [];

    /// <summary>The meeting's commitments in natural code order.</summary>
    public DashboardLine[] Lines { get; init; } = [];

    public int Total { get; init; }

    public StatusCounts ByStatus { get; init; } = StatusCounts.Zero;

    public SessionCounts[] Sessions { get; init; } = [];

    public KindCounts ByKind { get; init; } = KindCounts.Of([]);

    public BasisCounts ByBasis { get; init; } = BasisCounts.Of([]);

    public static MeetingBoard Empty(string meeting) => new MeetingBoard { Id = meeting }.Recount();

    /// <summary>The sessions this board files commitments under: its own, else its reviewer's (the rule of ReferenceCatalog.From).</summary>
    public IReadOnlyList<SessionTitle> EffectiveSessions => OwnSessions.Length > 0 ? OwnSessions : ReviewerSessions;

    /// <summary>
    /// The board after <paramref name="facts"/>: meeting registrations (its own, or that of the meeting
    /// reviewing it) and commitment lines, in the order they were recorded. Counts are taken once, at the end.
    /// </summary>
    public MeetingBoard Fold(IEnumerable<object> facts)
    {
        var board = this;
        var lines = Lines.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            switch (fact)
            {
                case MeetingRegistered e when e.Code == Id:
                    board = board with
                    {
                        Meeting = new BoardMeeting(e.Code, e.Title, e.City, e.Opens, e.StartDate, e.EndDate, e.Reviews),
                        OwnSessions = Titles(e.Sessions),
                    };
                    break;

                // The first meeting registered as reviewing this one wins, as in ReferenceCatalog.From.
                case MeetingRegistered e when e.Reviews == Id && board.ReviewedBy is null:
                    board = board with { ReviewedBy = e.Code, ReviewerSessions = Titles(e.Sessions) };
                    break;

                case DashboardLine line:
                    DashboardLines.Upsert(lines, line, keep: line.Meeting == Id);
                    break;
            }
        }

        return (board with { Lines = DashboardLines.Sorted(lines.Values) }).Recount();
    }

    /// <summary>Routing: the boards a registration concerns.</summary>
    public static IReadOnlyList<string> BoardsOf(MeetingRegistered e) => e.Reviews is null ? [e.Code] : [e.Code, e.Reviews];

    private static SessionTitle[] Titles(IReadOnlyList<WorkingSession> sessions) =>
        [.. sessions.OrderBy(s => s.Number).Select(s => new SessionTitle(s.Number, s.Title))];

    private MeetingBoard Recount()
    {
        var known = EffectiveSessions;
        var sessions = known
            .Select(s => new SessionCounts(s.Number, s.Title, StatusCounts.Of(Lines.Where(l => l.WorkingSession == s.Number))))
            .ToList();

        // A session number the meeting does not list still gets its row, untitled, rather than vanishing.
        sessions.AddRange(Lines
            .Where(l => l.WorkingSession is { } n && known.All(s => s.Number != n))
            .GroupBy(l => l.WorkingSession!.Value)
            .OrderBy(g => g.Key)
            .Select(g => new SessionCounts(g.Key, null, StatusCounts.Of(g))));

        var unassigned = Lines.Where(l => l.WorkingSession is null).ToList();
        if (unassigned.Count > 0)
        {
            sessions.Add(new SessionCounts(null, Unassigned, StatusCounts.Of(unassigned)));
        }

        return this with
        {
            Total = Lines.Length,
            ByStatus = StatusCounts.Of(Lines),
            Sessions = [.. sessions],
            ByKind = KindCounts.Of(Lines),
            ByBasis = BasisCounts.Of(Lines),
        };
    }
}

/// <summary>Stage 2: one board per meeting, from the meetings' registrations and the commitments' lines.</summary>
public sealed partial class MeetingBoardProjection : MultiStreamProjection<MeetingBoard, string>
{
    public MeetingBoardProjection()
    {
        Name = DashboardProjections.BoardName;
        Identities<MeetingRegistered>(MeetingBoard.BoardsOf);
        Identity<Updated<DashboardLine>>(u => u.Entity.Meeting);
    }

    public override (MeetingBoard?, ActionType) DetermineAction(MeetingBoard? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? MeetingBoard.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
