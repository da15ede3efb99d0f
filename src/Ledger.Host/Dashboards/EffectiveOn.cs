using Ledger.Host.Hosting;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Host.Dashboards;

/// <summary>
/// The business instant a dashboard is asked for (<c>?effectiveOn=</c>, docs/dashboards.md#on-a-business-day): what was
/// <see cref="Requested"/>, the instant every fact in force by it is counted up to (<see cref="InForceBy"/>, inclusive),
/// the time zone a local date or time was read in, and the business day the date rules (overdue, traffic lights) are
/// applied on.
/// </summary>
public sealed record EffectiveOn(string Requested, Instant InForceBy, string TimeZone, LocalDate Day)
{
    public const string Parameter = "effectiveOn";

    public const string Expected =
        "must be a date (2024-07-22), a local date-time (2024-07-22T09:00, read in the dashboard's time zone) or a date-time with an offset or Z (2024-07-22T09:00+05:00, 2024-07-22T04:00:00Z)";

    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;

    private static readonly LocalDateTimePattern[] LocalTimes =
        [LocalDateTimePattern.ExtendedIso, LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm")];

    private static readonly OffsetDateTimePattern OffsetToTheMinute = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>");

    /// <summary>
    /// Reads <paramref name="text"/> in <paramref name="zone"/>: a date alone is the whole day (everything in force by its
    /// end); a local date-time is that wall-clock time in the zone (in a gap of the clocks, the first instant after it;
    /// when the clocks repeat an hour, its first occurrence); a date-time with an offset or Z is that instant. Null when it
    /// is none of these, or not within the years 1 to 9998.
    /// </summary>
    public static EffectiveOn? Parse(string text, DateTimeZone zone)
    {
        if (Date.Parse(text) is { Success: true, Value: var day })
        {
            return InRange(day) ? new(text, day.PlusDays(1).AtStartOfDayInZone(zone).ToInstant() - Duration.Epsilon, zone.Id, day) : null;
        }

        var minute = OffsetToTheMinute.Parse(text);
        if ((PointInTime.ParseInstant(text) ?? (minute.Success ? minute.Value.ToInstant() : null)) is { } instant)
        {
            var local = instant.InZone(zone).Date;
            return InRange(local) ? new(text, instant, zone.Id, local) : null;
        }

        foreach (var pattern in LocalTimes)
        {
            if (pattern.Parse(text) is { Success: true, Value: var time })
            {
                return InRange(time.Date) ? new(text, time.InZoneLeniently(zone).ToInstant(), zone.Id, time.Date) : null;
            }
        }

        return null;
    }

    /// <summary>The parameter read in <paramref name="zone"/>, or the 400 problem naming it.</summary>
    public static (EffectiveOn? Value, IResult? Problem) Read(string? text, DateTimeZone zone) =>
        text is null ? (null, null)
        : Parse(text, zone) is { } value ? (value, null)
        : (null, Problems.BadQuery(Parameter, Expected));

    /// <summary>The meeting's time zone (its registration's IANA name), or UTC for a name the time zone database does not know.</summary>
    public static DateTimeZone ZoneOf(string? timeZone) =>
        (timeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone)) ?? DateTimeZone.Utc;

    private static bool InRange(LocalDate day) => day.Year is >= 1 and <= 9998;
}

/// <summary>An instant as the API reads one in a query: ISO 8601 with Z or an offset.</summary>
public static class PointInTime
{
    public static Instant? ParseInstant(string text)
    {
        var instant = InstantPattern.ExtendedIso.Parse(text);
        if (instant.Success)
        {
            return instant.Value;
        }

        var offset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        return offset.Success ? offset.Value.ToInstant() : null;
    }
}
