using Ledger.Domain.Common;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Common;

public class FactDateTests
{
    [Fact]
    public void A_day_is_exact()
    {
        var date = FactDate.Day(new LocalDate(2024, 7, 22));

        date.Date.ShouldBe(new LocalDate(2024, 7, 22));
        date.Precision.ShouldBe(DatePrecision.Day);
        date.IsApproximate.ShouldBeFalse();
        date.ToString().ShouldBe("2024-07-22");
    }

    [Fact]
    public void A_month_is_its_first_day_marked_approximate()
    {
        var date = FactDate.Month(new YearMonth(2022, 7));

        date.Date.ShouldBe(new LocalDate(2022, 7, 1));
        date.Precision.ShouldBe(DatePrecision.Month);
        date.IsApproximate.ShouldBeTrue();
        date.ToString().ShouldBe("2022-07 (month only)");
    }

    [Fact]
    public void A_month_is_not_the_same_fact_as_its_first_day()
    {
        FactDate.Month(new YearMonth(2022, 7)).ShouldNotBe(FactDate.Day(new LocalDate(2022, 7, 1)));
    }
}
