using Ledger.Domain.Common;
using Ledger.Domain.Meetings;
using Marten.Events.Aggregation;
using NodaTime;

namespace Ledger.Projections.Meetings;

/// <summary>A meeting with its working sessions. <see cref="Id"/> is the stream key (<c>meeting:AST-2024</c>).</summary>
public sealed record MeetingView
{
    public required string Id { get; init; }

    public required string Code { get; init; }

    public required string Title { get; init; }

    public required string City { get; init; }

    public required string Country { get; init; }

    public required string TimeZone { get; init; }

    public required FactDate Opens { get; init; }

    public LocalDate? StartDate { get; init; }

    public LocalDate? EndDate { get; init; }

    public string? Host { get; init; }

    public int? Participants { get; init; }

    public string? Reviews { get; init; }

    public IReadOnlyList<WorkingSession> Sessions { get; init; } = [];

    public Basis Basis { get; init; }

    public long Version { get; set; }
}

public sealed partial class MeetingViewProjection : SingleStreamProjection<MeetingView, string>
{
    public static MeetingView Create(MeetingRegistered e) => new()
    {
        Id = StreamKeys.Meeting(e.Code),
        Code = e.Code,
        Title = e.Title,
        City = e.City,
        Country = e.Country,
        TimeZone = e.TimeZone,
        Opens = e.Opens,
        StartDate = e.StartDate,
        EndDate = e.EndDate,
        Host = e.Host,
        Participants = e.Participants,
        Reviews = e.Reviews,
        Sessions = e.Sessions,
        Basis = e.Basis,
    };
}
