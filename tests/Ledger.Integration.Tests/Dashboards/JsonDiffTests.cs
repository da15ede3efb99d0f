using System.Text.Json.Nodes;
using Ledger.Host.ProjectionOps;
using Shouldly;

namespace Ledger.Integration.Tests.Dashboards;

public sealed class JsonDiffTests
{
    private static List<DocumentDifference> Diff(string? live, string? rebuilt)
    {
        var found = new List<DocumentDifference>();
        JsonDiff.Compare("p", "doc", live is null ? null : JsonNode.Parse(live), rebuilt is null ? null : JsonNode.Parse(rebuilt), found);
        return found;
    }

    [Fact]
    public void member_order_and_number_spelling_do_not_matter() =>
        Diff("""{"a": 1, "b": [1, 2], "c": {"d": null}}""", """{"c": {"d": null}, "b": [1.0, 2], "a": 1}""").ShouldBeEmpty();

    [Fact]
    public void each_difference_names_its_path_and_both_values()
    {
        var found = Diff("""{"a": 1, "lines": [{"s": "x"}, {"s": "y"}], "only": true}""", """{"a": 2, "lines": [{"s": "x"}, {"s": "z"}]}""");

        found.ShouldBe(
        [
            new DocumentDifference("p", "doc", "$.a", "1", "2"),
            new DocumentDifference("p", "doc", "$.lines[1].s", "\"y\"", "\"z\""),
            new DocumentDifference("p", "doc", "$.only", "true", "(absent)"),
        ]);
    }

    [Fact]
    public void a_document_on_one_side_only_is_one_difference()
    {
        Diff(null, """{"a": 1}""").ShouldBe([new DocumentDifference("p", "doc", "$", "(missing)", """{"a":1}""")]);
        Diff("""[1, 2]""", """[1]""").Select(d => d.Field).ShouldBe(["$.length", "$[1]"]);
    }
}
