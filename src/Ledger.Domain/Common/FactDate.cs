using NodaTime;

namespace Ledger.Domain.Common;

public enum DatePrecision
{
    Day,
    Month,
}

/// <summary>
/// A business date as precisely as the source knows it. When only the month is known the date is
/// the month's first day and <see cref="Precision"/> says so, so nobody reads it as exact.
/// </summary>
public sealed record FactDate(LocalDate Date, DatePrecision Precision)
{
    public bool IsApproximate => Precision != DatePrecision.Day;

    public static FactDate Day(LocalDate date) => new(date, DatePrecision.Day);

    public static FactDate Month(YearMonth month) => new(month.OnDayOfMonth(1), DatePrecision.Month);

    public override string ToString() =>
        Precision == DatePrecision.Month ? $"{Date:yyyy-MM} (month only)" : Date.ToString("yyyy-MM-dd", null);
}
