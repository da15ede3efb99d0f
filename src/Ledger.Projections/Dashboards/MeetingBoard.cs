using JasperFx.Events;
using JasperFx.Events.Daemon;
using Ledger.Domain.Commitments;
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

/// <summary>How many of a meeting's commitments are filed under a working session number (null: none), by status.</summary>
public sealed record SessionTally(int? Number, StatusCounts ByStatus);

/// <summary>
/// How many of a meeting's commitments that are not final have this last activity and due date: all that the rules
/// that depend on today (<see cref="DashboardRules.IsPastDue"/>, <see cref="DashboardRules.OpenLight"/>) need to count
/// them on any day.
/// </summary>
public sealed record OpenTally(LocalDate LastActivity, LocalDate? DueDate, int Count);

/// <summary>
/// A meeting's status board: counters of its commitments — by status, working session, kind and basis, those
/// waiting for a review, and those not final by last activity and due date — never the commitments themselves, so
/// the document stays small however crowded the meeting is (the lists come from the <see cref="DashboardLine"/>s).
/// <see cref="Id"/> is the meeting code. Each line the stage-1 projection hands over carries the line as it was
/// before (<see cref="DashboardLine.Before"/>): its old contribution is taken out and its new one put in, so the
/// counts are those of the meeting's current lines whatever the order or batches they arrive in.
/// </summary>
public sealed record MeetingBoard
{
    public const string Unassigned = "Not assigned to a working session";

    /// <summary>The key counting commitments filed under no working session.</summary>
    private const int NoSession = int.MinValue;

    public required string Id { get; init; }

    /// <summary>Null until the meeting's registration has been projected.</summary>
    public BoardMeeting? Meeting { get; init; }

    public SessionTitle[] OwnSessions { get; init; } = [];

    /// <summary>The meeting that reviews this one, whose sessions file a meeting registered without sessions of its own.</summary>
    public string? ReviewedBy { get; init; }

    public SessionTitle[] ReviewerSessions { get; init; } = [];

    public int Total { get; init; }

    public StatusCounts ByStatus { get; init; } = StatusCounts.Zero;

    /// <summary>Counts by the session number each commitment is filed under, in number order (none last): what <see cref="Sessions"/> is made of.</summary>
    public SessionTally[] BySession { get; init; } = [];

    public SessionCounts[] Sessions { get; init; } = [];

    public KindCounts ByKind { get; init; } = KindCounts.Of(new int[Enum.GetValues<CommitmentKind>().Length]);

    public BasisCounts ByBasis { get; init; } = BasisCounts.Of(new int[Enum.GetValues<Basis>().Length]);

    /// <summary>Commitments waiting for a review decision (<see cref="DashboardRules.NeedsReview"/>).</summary>
    public int Unreviewed { get; init; }

    /// <summary>The commitments not final, by last activity and due date, in date order.</summary>
    public OpenTally[] Open { get; init; } = [];

    public static MeetingBoard Empty(string meeting) => new MeetingBoard { Id = meeting }.Recount();

    /// <summary>The sessions this board files commitments under: its own, else its reviewer's (the rule of ReferenceCatalog.From).</summary>
    public IReadOnlyList<SessionTitle> EffectiveSessions => OwnSessions.Length > 0 ? OwnSessions : ReviewerSessions;

    /// <summary>Routing: the boards a fact concerns (a registration: its meeting's and the one it reviews; a line: its meeting's).</summary>
    public static IReadOnlyList<string> BoardsOf(object fact) => fact switch
    {
        MeetingRegistered e => e.Reviews is null ? [e.Code] : [e.Code, e.Reviews],
        DashboardLine line => [line.Meeting],
        _ => [],
    };

    /// <summary>
    /// The board after <paramref name="facts"/>: meeting registrations (its own, or that of the meeting
    /// reviewing it) and commitment lines, in the order they were recorded.
    /// </summary>
    public MeetingBoard Fold(IEnumerable<object> facts)
    {
        var board = this;
        var status = ByStatus.ToArray();
        var kind = ByKind.ToArray();
        var basis = ByBasis.ToArray();
        var sessions = BySession.ToDictionary(s => s.Number ?? NoSession, s => s.ByStatus.ToArray());
        var open = Open.ToDictionary(o => (o.LastActivity, o.DueDate), o => o.Count);
        var unreviewed = Unreviewed;

        void Count(DashboardLine line, int sign)
        {
            status[(int)line.Status] += sign;
            kind[(int)line.Kind] += sign;
            basis[(int)line.Basis] += sign;
            var session = line.WorkingSession ?? NoSession;
            if (!sessions.TryGetValue(session, out var byStatus))
            {
                sessions[session] = byStatus = new int[status.Length];
            }

            byStatus[(int)line.Status] += sign;
            unreviewed += DashboardRules.NeedsReview(line) ? sign : 0;
            if (!DashboardRules.IsFinal(line.Status))
            {
                var key = (DashboardRules.LastActivity(line), line.DueDate);
                open[key] = open.GetValueOrDefault(key) + sign;
            }
        }

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
                    if (line.Before is { } before && before.Meeting == Id)
                    {
                        Count(before, -1);
                    }

                    if (line.Meeting == Id)
                    {
                        Count(line, +1);
                    }

                    break;
            }
        }

        return (board with
        {
            ByStatus = StatusCounts.Of(status),
            ByKind = KindCounts.Of(kind),
            ByBasis = BasisCounts.Of(basis),
            BySession = [.. sessions.Where(s => s.Value.Any(n => n != 0))
                .OrderBy(s => s.Key == NoSession ? int.MaxValue : s.Key)
                .Select(s => new SessionTally(s.Key == NoSession ? null : s.Key, StatusCounts.Of(s.Value)))],
            Unreviewed = unreviewed,
            Open = [.. open.Where(o => o.Value != 0).OrderBy(o => o.Key.LastActivity).ThenBy(o => o.Key.DueDate)
                .Select(o => new OpenTally(o.Key.LastActivity, o.Key.DueDate, o.Value))],
        }).Recount();
    }

    private static SessionTitle[] Titles(IReadOnlyList<WorkingSession> sessions) =>
        [.. sessions.OrderBy(s => s.Number).Select(s => new SessionTitle(s.Number, s.Title))];

    /// <summary>The rows of the board's sessions, from the counts by session number and the sessions the meeting lists.</summary>
    private MeetingBoard Recount()
    {
        var known = EffectiveSessions;
        StatusCounts Filed(int? number) => BySession.FirstOrDefault(s => s.Number == number)?.ByStatus ?? StatusCounts.Zero;
        var sessions = known.Select(s => new SessionCounts(s.Number, s.Title, Filed(s.Number))).ToList();

        // A session number the meeting does not list still gets its row, untitled, rather than vanishing.
        sessions.AddRange(BySession
            .Where(s => s.Number is { } n && known.All(k => k.Number != n))
            .Select(s => new SessionCounts(s.Number, null, s.ByStatus)));

        if (BySession.FirstOrDefault(s => s.Number is null) is { } unassigned)
        {
            sessions.Add(new SessionCounts(null, Unassigned, unassigned.ByStatus));
        }

        return this with { Total = ByStatus.Total, Sessions = [.. sessions] };
    }
}

/// <summary>Stage 2: one board per meeting, from the meetings' registrations and the commitments' lines.</summary>
public sealed partial class MeetingBoardProjection : MultiStreamProjection<MeetingBoard, string>
{
    public MeetingBoardProjection()
    {
        Name = DashboardProjections.BoardName;
        Identities<MeetingRegistered>(MeetingBoard.BoardsOf);
        Identities<Updated<DashboardLine>>(u => MeetingBoard.BoardsOf(u.Entity));
    }

    public override (MeetingBoard?, ActionType) DetermineAction(MeetingBoard? snapshot, string identity, IReadOnlyList<IEvent> events) =>
        ((snapshot ?? MeetingBoard.Empty(identity)).Fold(DashboardLines.Facts(events)), ActionType.Store);
}
