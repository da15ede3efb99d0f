using Ledger.Domain.Meetings;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Meetings;

public class MeetingCodeTests
{
    [Theory]
    [InlineData("AST-2024")]
    [InlineData("GVA-2022")]
    public void Well_formed_codes(string code)
    {
        MeetingCode.IsWellFormed(code).ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ast-2024")]
    [InlineData("Ast-2024")]
    [InlineData("AST2024")]
    [InlineData("AST-24")]
    [InlineData("AST-20245")]
    [InlineData("AST-20a4")]
    [InlineData("AS1-2024")]
    [InlineData("AST_2024")]
    [InlineData("AST-2024-06")]
    public void Malformed_codes(string? code)
    {
        MeetingCode.IsWellFormed(code).ShouldBeFalse();
    }

    [Theory]
    [InlineData("AST-2024", 2024)]
    [InlineData("GVA-2022", 2022)]
    public void A_code_names_its_year(string code, int year)
    {
        MeetingCode.Year(code).ShouldBe(year);
    }
}
