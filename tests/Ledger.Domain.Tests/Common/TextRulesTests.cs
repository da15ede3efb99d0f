using Ledger.Domain.Common;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Common;

public class TextRulesTests
{
    [Theory]
    [InlineData("Afghanistan Food Security Program")]
    [InlineData("برنامج الأمن الغذائي في أفغانستان")]
    [InlineData("Persian with a zero-width non-joiner: می\u200Cخواهم")]
    [InlineData("Mixed direction with marks: IOFS \u200Fالأمن\u200F 2024")]
    [InlineData("Emoji with a joiner: 👩\u200D🌾 and a pair 🌍")]
    [InlineData("=SUM(A1) is text here; the CSV export neutralises it")]
    public void Text_in_any_script_with_its_joiners_and_marks_is_accepted_on_one_line(string text)
    {
        TextRules.Refuse(text).ShouldBeNull();
        TextRules.Refuse(text, multiline: true).ShouldBeNull();
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("windows\r\nline")]
    [InlineData("a\ttab")]
    [InlineData("a\u2028separator")]
    public void Line_breaks_and_tabs_are_multi_line_text_only(string text)
    {
        TextRules.Refuse(text, multiline: true).ShouldBeNull();
        TextRules.Refuse(text).ShouldBe(TextRules.ControlInLine);
    }

    [Theory]
    [InlineData("nul\0here")]
    [InlineData("bell\u0007")]
    [InlineData("escape\u001B[31m")]
    [InlineData("delete\u007F")]
    [InlineData("next line\u0085")]
    public void Control_characters_are_refused_in_every_kind_of_text(string text)
    {
        TextRules.Refuse(text).ShouldBe(TextRules.ControlInLine);
        TextRules.Refuse(text, multiline: true).ShouldBe(TextRules.ControlInText);
    }

    [Theory]
    [InlineData("evil\u202Etxt.exe", "U+202E", "bidirectional")]
    [InlineData("isolate\u2066x\u2069", "U+2066", "bidirectional")]
    [InlineData("embed\u202Ax\u202C", "U+202A", "bidirectional")]
    [InlineData("zero\u200Bwidth", "U+200B", "invisible")]
    [InlineData("word\u2060joiner", "U+2060", "invisible")]
    [InlineData("\uFEFFbom", "U+FEFF", "invisible")]
    [InlineData("tag \U000E0041 smuggled", "U+E0041", "tag")]
    [InlineData("non\uFFFEcharacter", "U+FFFE", "noncharacter")]
    [InlineData("non\uFDD0character", "U+FDD0", "noncharacter")]
    public void Bidirectional_formatting_invisible_and_non_characters_are_refused_and_named(string text, string named, string kind)
    {
        foreach (var multiline in new[] { false, true })
        {
            var reason = TextRules.Refuse(text, multiline).ShouldNotBeNull();
            reason.ShouldContain(named);
            reason.ShouldContain(kind);
        }
    }

    [Theory]
    [InlineData(0xD800, " pair")]
    [InlineData(0xDC00, " first")]
    [InlineData(0xD83D, "")]
    public void Half_a_surrogate_pair_is_not_text(int half, string after)
    {
        // Built here: an attribute cannot carry half a surrogate pair (it is stored as UTF-8).
        var text = "text " + (char)half + after;
        TextRules.Refuse(text).ShouldNotBeNull().ShouldContain("surrogate pair");
        TextRules.Refuse(text, multiline: true).ShouldNotBeNull().ShouldContain("surrogate pair");
    }

    [Fact]
    public void Printable_spells_out_what_text_may_not_hold()
    {
        TextRules.Printable("a\0b\u202Ec 😀").ShouldBe("a\\u0000b\\u202Ec 😀");
    }

    [Fact]
    public void A_title_with_a_bidirectional_override_is_refused_by_the_command()
    {
        new Validation().Text("Letter of Intent\u202E", "title", 300).Refusals
            .ShouldHaveSingleItem().ShouldSatisfyAllConditions(
                r => r.Field.ShouldBe("title"),
                r => r.Reason.ShouldContain("U+202E"));
    }
}
