using System.Text;
using System.Text.Json;
using Ledger.Domain.Audit;
using Shouldly;
using Xunit;

namespace Ledger.Domain.Tests.Audit;

/// <summary>
/// The canonical form, byte for byte: its rules on hand-picked text, and the fast writer against
/// <see cref="CanonicalJsonReference"/> (the JsonDocument-based form every stored hash was made
/// with) on text chosen to be tricky, generated at random, shaped like the ledger's events, and broken.
/// </summary>
public class CanonicalJsonTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Theory]
    [InlineData("""{ "b" : 1 , "a" : [ true , false , null ] }""", """{"a":[true,false,null],"b":1}""")]
    [InlineData("""{"abc":1,"ab":2,"a":3,"":4}""", """{"":4,"a":3,"ab":2,"abc":1}""")]
    [InlineData("""{"b":{"d":[{"f":1,"e":2}],"c":{}},"a":[]}""", """{"a":[],"b":{"c":{},"d":[{"e":2,"f":1}]}}""")]
    [InlineData("""[ [ ] , { } , [ { } ] ]""", """[[],{},[{}]]""")]
    [InlineData("""[-0, 1e5, 1E+5, 1.50, -0.0, 2.5e-3, 123456789012345678901234567890]""", """[-0,1e5,1E+5,1.50,-0.0,2.5e-3,123456789012345678901234567890]""")]
    [InlineData(""" "top" """, "\"top\"")]
    [InlineData("\t\r\n 42 \n", "42")]
    [InlineData("null", "null")]
    public void Members_are_sorted_by_name_white_space_goes_and_values_are_kept_as_written(string json, string canonical)
    {
        CanonicalJson.Canonicalize(json).ShouldBe(canonical);
        CanonicalJsonReference.Canonicalize(json).ShouldBe(canonical);
    }

    [Fact]
    public void Strings_are_escaped_only_where_json_requires_it()
    {
        const string json = """ "\u00e9\/\u0041\"\\\b\f\n\r\t\u0001\u001F\u0000\u007f\u2028 plain é/" """;

        CanonicalJson.Canonicalize(json).ShouldBe("\"é/A\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u0000\u007f\u2028 plain é/\"");
        CanonicalJson.Canonicalize(json).ShouldBe(CanonicalJsonReference.Canonicalize(json));
    }

    [Fact]
    public void A_control_character_escaped_in_the_long_form_is_written_in_the_short_one()
    {
        CanonicalJson.Canonicalize("""["\u0008\u000C\u000a\u000D\u0009\u0022\u005C\u002F"]""").ShouldBe("""["\b\f\n\r\t\"\\/"]""");
    }

    [Fact]
    public void An_escaped_surrogate_pair_becomes_the_character_itself()
    {
        CanonicalJson.Canonicalize("""["\uD83D\uDE00", "\ud83c\udf0d", "\udbff\udfff"]""").ShouldBe("[\"😀\",\"🌍\",\"\U0010ffff\"]");
    }

    [Fact]
    public void Names_sort_by_utf16_code_units_even_where_code_points_sort_otherwise()
    {
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+E000 and U+FFFD,
        // although its UTF-8 bytes (F0 ...) sort after theirs (EE ..., EF ...).
        const string json = "{\"\uFFFD\":1,\"\U0001F600\":2,\"\uE000\":3,\"z\":4,\"\uD7FF\":5,\"\U00010000\":6}";
        string.CompareOrdinal("\U0001F600", "\uE000").ShouldBeLessThan(0);
        Encoding.UTF8.GetBytes("\U0001F600").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes("\uE000")).ShouldBeGreaterThan(0);

        CanonicalJson.Canonicalize(json).ShouldBe("{\"z\":4,\"\uD7FF\":5,\"\U00010000\":6,\"\U0001F600\":2,\"\uE000\":3,\"\uFFFD\":1}");
        CanonicalJson.Canonicalize(json).ShouldBe(CanonicalJsonReference.Canonicalize(json));
    }

    [Fact]
    public void Names_that_differ_only_in_characters_beyond_the_basic_plane_sort_as_the_reference()
    {
        const string json = "{\"k\U0001F600\":1,\"k\uFFFF\":2,\"k\U00010000\":3,\"k\uE000x\":4,\"k\U0010FFFF\":5,\"k\":6,\"k\uD7FF\":7}";

        CanonicalJson.Canonicalize(json).ShouldBe("{\"k\":6,\"k\uD7FF\":7,\"k\U00010000\":3,\"k\U0001F600\":1,\"k\U0010FFFF\":5,\"k\uE000x\":4,\"k\uFFFF\":2}");
        CanonicalJson.Canonicalize(json).ShouldBe(CanonicalJsonReference.Canonicalize(json));
    }

    [Fact]
    public void Names_sort_by_their_characters_not_by_their_escapes()
    {
        // '"' (0x22) sorts before '#', a control character before ' ', whatever their escapes look like.
        CanonicalJson.Canonicalize("""{"a#":1,"a\"b":2,"a\u0022":3}""").ShouldBe("""{"a\"":3,"a\"b":2,"a#":1}""");
        CanonicalJson.Canonicalize("""{"a ":1,"a\u0001":2,"a":3,"a\t":4}""").ShouldBe("""{"a":3,"a\u0001":2,"a\t":4,"a ":1}""");
        CanonicalJson.Canonicalize("""{"\u0062":1,"a":2,"\/":3}""").ShouldBe("""{"/":3,"a":2,"b":1}""");
    }

    [Fact]
    public void Members_with_the_same_name_are_all_kept_in_the_order_written()
    {
        CanonicalJson.Canonicalize("""{"b":1,"a":2,"\u0061":3,"a":4}""").ShouldBe("""{"a":2,"a":3,"a":4,"b":1}""");

        // An object large enough to be sorted another way keeps the same rule.
        var members = Enumerable.Range(0, 100).Select(i => $"\"{(char)('e' - (i % 5))}\":{i}");
        var json = "{" + string.Join(",", members) + "}";
        var canonical = CanonicalJson.Canonicalize(json);
        canonical.ShouldStartWith("""{"a":4,"a":9,"a":14,""");
        canonical.ShouldEndWith(""","e":85,"e":90,"e":95}""");
        canonical.ShouldBe(CanonicalJsonReference.Canonicalize(json));
    }

    [Fact]
    public void Pretty_printed_text_canonicalises_like_compact_text()
    {
        var value = new { zeta = new[] { 1, 2 }, alpha = new { y = "é\n", x = (string?)null }, mid = true };
        var pretty = JsonSerializer.Serialize(value, Indented);
        var compact = JsonSerializer.Serialize(value);
        pretty.ShouldContain("\n  ");

        CanonicalJson.Canonicalize(pretty).ShouldBe("""{"alpha":{"x":null,"y":"é\n"},"mid":true,"zeta":[1,2]}""");
        CanonicalJson.Canonicalize(compact).ShouldBe(CanonicalJson.Canonicalize(pretty));
    }

    [Fact]
    public void Jsonb_text_in_its_length_first_order_is_put_in_name_order()
    {
        const string stored = """{"code": "AST-2024-06", "leads": ["IOFS"], "title": "Caf\u00e9 \"talks\"", "recordedBy": {"user": "a@b.org", "organization": null}}""";

        CanonicalJson.Canonicalize(stored).ShouldBe("""{"code":"AST-2024-06","leads":["IOFS"],"recordedBy":{"organization":null,"user":"a@b.org"},"title":"Café \"talks\""}""");
    }

    [Fact]
    public void Nesting_is_allowed_to_64_levels_and_refused_deeper()
    {
        foreach (var (open, close) in new[] { ("[", "]"), ("{\"a\":", "}") })
        {
            var deepest = string.Concat(Enumerable.Repeat(open, 63)) + "[]" + string.Concat(Enumerable.Repeat(close, 63));
            CanonicalJson.Canonicalize(deepest).ShouldBe(CanonicalJsonReference.Canonicalize(deepest));

            var tooDeep = open + deepest + close;
            Outcome(() => CanonicalJson.Canonicalize(tooDeep)).ShouldBe("JsonException");
            Outcome(() => CanonicalJsonReference.Canonicalize(tooDeep)).ShouldBe("JsonException");
        }
    }

    [Theory]
    [InlineData("", "JsonException")]
    [InlineData("   ", "JsonException")]
    [InlineData("{", "JsonException")]
    [InlineData("{\"a\":1,}", "JsonException")]
    [InlineData("[1,]", "JsonException")]
    [InlineData("[1 2]", "JsonException")]
    [InlineData("{\"a\" 1}", "JsonException")]
    [InlineData("{1:2}", "JsonException")]
    [InlineData("{'a':1}", "JsonException")]
    [InlineData("01", "JsonException")]
    [InlineData("1.", "JsonException")]
    [InlineData(".5", "JsonException")]
    [InlineData("+1", "JsonException")]
    [InlineData("-", "JsonException")]
    [InlineData("1e", "JsonException")]
    [InlineData("1e+", "JsonException")]
    [InlineData("0x1", "JsonException")]
    [InlineData("NaN", "JsonException")]
    [InlineData("tru", "JsonException")]
    [InlineData("truex", "JsonException")]
    [InlineData("[nul]", "JsonException")]
    [InlineData("[1]]", "JsonException")]
    [InlineData("{} {}", "JsonException")]
    [InlineData("/*c*/ 1", "JsonException")]
    [InlineData("1 // c", "JsonException")]
    [InlineData("\"unclosed", "JsonException")]
    [InlineData("\"a\tb\"", "JsonException")]
    [InlineData("\"\\x\"", "JsonException")]
    [InlineData("\"\\u12\"", "JsonException")]
    [InlineData("\"\\u00G1\"", "JsonException")]
    [InlineData("\"\\", "JsonException")]
    [InlineData("\uFEFF{}", "JsonException")]
    [InlineData("\u00A0 1", "JsonException")]
    [InlineData("\"\\uD800\"", "InvalidOperationException")]
    [InlineData("\"\\uDC00\"", "InvalidOperationException")]
    [InlineData("\"\\uD800x\"", "InvalidOperationException")]
    [InlineData("\"\\uD800\\u0041\"", "InvalidOperationException")]
    [InlineData("\"\\uD800\\uD800\"", "InvalidOperationException")]
    [InlineData("{\"\\uDE00\":1}", "InvalidOperationException")]
    [InlineData("[\"\\uD800\", 1, x]", "JsonException")]
    [InlineData("\"\\uD800\\uDC0G\"", "JsonException")]
    public void Text_that_is_not_json_is_refused_as_the_reference_refuses_it(string json, string refusal)
    {
        Outcome(() => CanonicalJsonReference.Canonicalize(json)).ShouldBe(refusal);
        Outcome(() => CanonicalJson.Canonicalize(json)).ShouldBe(refusal);
    }

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_refused_as_the_reference_refuses_it()
    {
        foreach (var json in new[] { "\"\uD800\"", "[\"a\uDC00\"]", "{\"\uD83D\":1}", "[1, x, \"\uD800\"]" })
        {
            Outcome(() => CanonicalJsonReference.Canonicalize(json)).ShouldBe("ArgumentException");
            Outcome(() => CanonicalJson.Canonicalize(json)).ShouldBe("ArgumentException");
        }
    }

    [Fact]
    public void No_text_is_refused()
    {
        Should.Throw<ArgumentNullException>(() => CanonicalJson.Canonicalize((string)null!));
    }

    [Fact]
    public void Random_documents_canonicalise_exactly_as_the_reference()
    {
        var samples = new JsonSamples(seed: 20240722);
        var objects = 0;
        for (var i = 0; i < 5000; i++)
        {
            var json = samples.Document();
            var canonical = CanonicalJson.Canonicalize(json);
            canonical.ShouldBe(CanonicalJsonReference.Canonicalize(json), json);
            objects += canonical.StartsWith('{') ? 1 : 0;
        }

        objects.ShouldBeGreaterThan(1000);
    }

    [Fact]
    public void Random_documents_stored_as_jsonb_canonicalise_exactly_as_the_reference()
    {
        var samples = new JsonSamples(seed: 7);
        for (var i = 0; i < 2000; i++)
        {
            var jsonb = JsonSamples.Jsonb(samples.Document());
            CanonicalJson.Canonicalize(jsonb).ShouldBe(CanonicalJsonReference.Canonicalize(jsonb), jsonb);
        }
    }

    [Fact]
    public void Broken_documents_are_refused_or_accepted_exactly_as_the_reference_does()
    {
        var samples = new JsonSamples(seed: 1234);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 5000; i++)
        {
            var json = samples.Mutate(samples.Document(maxDepth: 3));
            var expected = Outcome(() => CanonicalJsonReference.Canonicalize(json));
            Outcome(() => CanonicalJson.Canonicalize(json)).ShouldBe(expected, json);
            var kind = expected.StartsWith('=') ? "accepted" : expected;
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }

        // The mutations reach every kind of outcome, so each was compared.
        outcomes.Keys.Order().ShouldBe(["ArgumentException", "InvalidOperationException", "JsonException", "accepted"]);
    }

    [Fact]
    public void Event_payloads_canonicalise_exactly_as_the_reference_however_they_were_stored()
    {
        var samples = new JsonSamples(seed: 16);
        for (var i = 0; i < 2000; i++)
        {
            var written = samples.EventPayload();
            var stored = JsonSamples.Jsonb(written);
            var canonical = CanonicalJson.Canonicalize(stored);

            canonical.ShouldBe(CanonicalJsonReference.Canonicalize(stored), stored);
            CanonicalJson.Canonicalize(written).ShouldBe(canonical);
            CanonicalJson.Canonicalize(canonical).ShouldBe(canonical);
        }
    }

    [Fact]
    public void An_elements_text_canonicalises_exactly_as_the_reference()
    {
        var samples = new JsonSamples(seed: 99);
        for (var i = 0; i < 1000; i++)
        {
            var json = "{\"outer\": [" + samples.Document() + "]}";
            using var document = JsonDocument.Parse(json);
            var element = document.RootElement.GetProperty("outer")[0];

            CanonicalJson.Canonicalize(element.GetRawText()).ShouldBe(CanonicalJsonReference.Canonicalize(element), json);
        }
    }

    /// <summary>The canonical text prefixed with '=', or the kind of exception thrown.</summary>
    private static string Outcome(Func<string> canonicalize)
    {
        try
        {
            return "=" + canonicalize();
        }
        catch (JsonException)
        {
            return nameof(JsonException);
        }
        catch (ArgumentException exception)
        {
            return exception.GetType().Name;
        }
        catch (InvalidOperationException exception)
        {
            return exception.GetType().Name;
        }
    }
}
