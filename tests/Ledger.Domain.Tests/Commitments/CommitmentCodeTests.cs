using Ledger.Domain.Commitments;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Commitments;

public class CommitmentCodeTests
{
    [Theory]
    [InlineData("AST-2024-06")]
    [InlineData("AST-2024-1")]
    [InlineData("GVA-2022-2.3")]
    [InlineData("GVA-2022-1.10")]
    [InlineData("GVA-2022-1.2.3")]
    public void Well_formed_codes(string code)
    {
        CommitmentCode.IsWellFormed(code).ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AST-2024")]
    [InlineData("ast-2024-01")]
    [InlineData("AST-2024-")]
    [InlineData("AST-2024-1..2")]
    [InlineData("AST-2024-.1")]
    [InlineData("AST-2024-1.")]
    [InlineData("AST-2024-12345")]
    [InlineData("AST-2024-0a")]
    [InlineData("AST-2024_01")]
    [InlineData("AST2024-01")]
    [InlineData("meeting:AST-2024")]
    [InlineData("AST-2024-1.1.1.1.1.1.1.1.1.1.1.1.1")] // 34 characters, over the 32 allowed
    public void Malformed_codes(string? code)
    {
        CommitmentCode.IsWellFormed(code).ShouldBeFalse();
    }

    [Theory]
    [InlineData("AST-2024-06", "AST-2024")]
    [InlineData("GVA-2022-2.3", "GVA-2022")]
    public void A_code_names_its_meeting(string code, string meeting)
    {
        CommitmentCode.MeetingOf(code).ShouldBe(meeting);
    }

    [Fact]
    public void Sort_keys_order_codes_naturally()
    {
        string[] shuffled = ["GVA-2022-2.1", "GVA-2022-1.10", "AST-2024-10", "GVA-2022-1.2", "AST-2024-09"];

        var sorted = shuffled.OrderBy(CommitmentCode.SortKey, StringComparer.Ordinal).ToList();

        sorted.ShouldBe(["AST-2024-09", "AST-2024-10", "GVA-2022-1.2", "GVA-2022-1.10", "GVA-2022-2.1"]);
    }

    [Theory]
    [InlineData("GVA-2022-1.2", "GVA-2022-1.10")]
    [InlineData("GVA-2022-1.10", "GVA-2022-2.1")]
    [InlineData("AST-2024-2", "AST-2024-10")]
    public void A_sort_key_puts_the_lower_number_first(string first, string second)
    {
        string.CompareOrdinal(CommitmentCode.SortKey(first), CommitmentCode.SortKey(second)).ShouldBeLessThan(0);
    }
}
