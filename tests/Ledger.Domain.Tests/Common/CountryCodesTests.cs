using Ledger.Domain.Common;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Common;

public class CountryCodesTests
{
    [Theory]
    [InlineData("AFG")]
    [InlineData("KAZ")]
    [InlineData("PSE")]
    [InlineData("TCD")]
    [InlineData("CHE")]
    public void Assigned_alpha_3_codes(string code)
    {
        CountryCodes.IsAssigned(code).ShouldBeTrue();
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("afg")]
    [InlineData("AF")]
    [InlineData("AFGH")]
    [InlineData("")]
    public void Anything_else(string code)
    {
        CountryCodes.IsAssigned(code).ShouldBeFalse();
    }
}
