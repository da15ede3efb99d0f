using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Ledger.Host.Hosting;
using Ledger.Host.Security;
using Ledger.Host.Writing;
using Wolverine.Http;

namespace Ledger.Reliability.Tests.Input;

/// <summary>One request of the corpus, as it goes on the wire.</summary>
/// <param name="Kind">What makes it hostile (the figure counts cases by kind).</param>
/// <param name="Operation">The operation of the API it is sent to.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Target">The request target exactly as sent: path and query, already percent-encoded.</param>
/// <param name="Body">The body's bytes, or null for none.</param>
/// <param name="ContentType">The Content-Type header as sent (anything, even malformed), or null for none.</param>
/// <param name="Chunked">Sent without Content-Length, in chunks.</param>
/// <param name="Role">The role of the token it carries: one the route admits, so the refusal is the input's.</param>
/// <param name="Headers">Other request headers.</param>
public sealed record HostileRequest(
    string Kind, ApiOperation Operation, string Method, string Target, byte[]? Body, string? ContentType, bool Chunked, string Role,
    IReadOnlyDictionary<string, string> Headers)
{
    public override string ToString()
    {
        var body = Body is null ? "no body"
            : Body.Length > 300 ? $"{Body.Length} bytes: {Show(Body.AsSpan(0, 300))}…"
            : Show(Body);
        var headers = string.Concat(Headers.Select(h => $" [{h.Key}: {(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}]"));
        return $"{Kind}: {Method} {Target} ({ContentType ?? "no content type"}{(Chunked ? ", chunked" : string.Empty)}){headers} {body}";
    }

    private static string Show(ReadOnlySpan<byte> bytes) => string.Concat(Encoding.UTF8.GetString(bytes)
        .Select(c => c < ' ' || c is >= '\u007F' and <= '\u009F' || char.IsSurrogate(c) || c > '\u2000' ? $"\\u{(int)c:X4}" : c.ToString()));
}

/// <summary>
/// Generates the hostile corpus from the API's own description, with CsCheck generators drawn from one
/// PCG stream seeded by the caller: the same seed gives the same requests, byte for byte. Every request
/// is one that the ledger must refuse whatever else it holds: each carries at least one defect that no
/// route accepts (a body that is not an object, a value of the wrong type, text no field can hold, a
/// code that is not one, an unknown field, a size over the limit, …), laid over a request that is
/// otherwise valid, so the refusal is the defect's and not a missing field's.
/// </summary>
public sealed class HostileCorpus(ulong seed)
{
    public const int CasesPerQueryParameter = 10;
    public const int CasesPerPathParameter = 8;
    public const int CasesPerBody = 45;
    public const int CasesPerCsvBody = 45;
    public const int CasesPerReadRoute = 3;

    private readonly PCG _random = new(1, seed);

    /// <summary>A body each known write accepts as it is; the corpus only ever sends it with a defect laid over it.</summary>
    private static readonly Dictionary<string, string> ValidBodies = new(StringComparer.Ordinal)
    {
        ["pledgeCommitment"] = """{"code":"AST-2024-70","meeting":"AST-2024","title":"R6 pledge","kind":"call","leads":["IOFS"],"countries":["KAZ"],"dueDate":"2026-12-31"}""",
        ["amendCommitment"] = """{"reason":"R6 amendment","title":"R6 amended title","countries":["TCD"]}""",
        ["reportProgress"] = """{"status":"in-progress","narrative":"R6 progress","asOf":"2024-07-24","percentComplete":10}""",
        ["recordReviewDecision"] = """{"meeting":"AST-2024","rating":"on-track","decision":"continue","remarks":"R6 review","nextReviewDue":"2027-07-01"}""",
        ["withdrawCommitment"] = """{"reason":"R6 withdrawal","effectiveOn":"2024-07-24"}""",
        ["carryForwardCommitment"] = """{"toMeeting":"RUH-2026","remarks":"R6 carry-forward"}""",
        ["recordMeetingReviews"] = """{"reviews":[{"commitment":"AST-2024-06","rating":"on-track","decision":"continue","remarks":"R6 batch"}]}""",
        ["importMatrix"] = """{"meeting":"AST-2024","commitments":[{"code":"AST-2024-71","title":"R6 line","kind":"call","leads":["IOFS"],"countries":["KAZ"]}]}""",
        ["verifyLedger"] = """{"digest":{"algorithm":"sha256-rfc6962","treeSize":0,"rootHash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","lastSequence":0,"chainAlgorithm":"sha256-canonical-json-chain","createdAt":"2024-07-25T06:00:00Z"}}""",
    };

    /// <summary>The corpus for every operation: its query and path parameters, and its body.</summary>
    public IReadOnlyList<HostileRequest> For(IReadOnlyList<ApiOperation> operations)
    {
        var corpus = new List<HostileRequest>();
        foreach (var operation in operations)
        {
            foreach (var parameter in operation.Query)
            {
                corpus.AddRange(Draw(QueryCase(operation, parameter), CasesPerQueryParameter));
            }

            foreach (var parameter in operation.PathParameters)
            {
                corpus.AddRange(Draw(PathCase(operation, parameter), CasesPerPathParameter));
            }

            if (operation.IsWrite)
            {
                corpus.AddRange(Draw(BodyCase(operation), CasesPerBody));
                if (operation.Body?.ContentTypes.Contains("text/csv") == true)
                {
                    corpus.AddRange(Draw(CsvCase(operation), CasesPerCsvBody));
                }
            }
            else
            {
                corpus.AddRange(Draw(ExtraParameterCase(operation), CasesPerReadRoute));
            }
        }

        return corpus;
    }

    private IEnumerable<HostileRequest> Draw(Gen<HostileRequest> gen, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return gen.Generate(_random, null!, out _);
        }
    }

    // ---- Characters ------------------------------------------------------------------------------

    /// <summary>Characters no text of the ledger may hold (multi-line text included), as Unicode scalars.</summary>
    private static readonly Gen<int> ForbiddenEverywhere = Gen.OneOf<int>(
        Gen.Int[0x00, 0x08], Gen.Int[0x0B, 0x0C], Gen.Int[0x0E, 0x1F], Gen.Const(0x7F), Gen.Int[0x80, 0x9F],
        Gen.Int[0x202A, 0x202E], Gen.Int[0x2066, 0x2069],
        Gen.OneOf(0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF),
        Gen.Int[0xE0000, 0xE007F], Gen.Int[0xFDD0, 0xFDEF], Gen.OneOf(0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF));

    /// <summary>What a query or path value may not hold: no parameter is more than one line. (A NUL in the path never reaches the app.)</summary>
    private static Gen<int> ForbiddenInParameter(bool inPath) => Gen.Frequency<int>(
        (8, ForbiddenEverywhere.Where(c => !inPath || c != 0)),
        (2, Gen.OneOf<int>('\t', '\n', '\r', 0x2028, 0x2029)));

    private static readonly Gen<string> Plain = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"].Array[0, 8].Select(c => new string(c));

    /// <summary>A plausible value with one to three forbidden characters spliced in.</summary>
    private static Gen<string> Spliced(string plausible, Gen<int> forbidden) =>
        Gen.Select(Gen.Int[0, plausible.Length], forbidden.Array[1, 3], Plain, (at, chars, tail) =>
            plausible[..at] + string.Concat(chars.Select(char.ConvertFromUtf32)) + plausible[at..] + tail);

    // ---- Query and path parameters ----------------------------------------------------------------

    private static readonly Gen<string> NotAnInteger = Gen.OneOf(
        "abc", "1.5", "1e3", "0x10", "99999999999999999999", "-99999999999999999999", "\uFF11\uFF12", "1,000", "NaN", "true", "½", "12abc", "--1");

    private static readonly Gen<string> NotADate = Gen.OneOf(
        "2024-13-01", "2024-02-30", "2024-07-22T25:00:00Z", "next week", "0000-00-00", "2024-07-22T06:00:00+25:00", "1e10", "2024/07/22",
        "22.07.2024", "2024-07-22T06:00:00.0000000000Z", "-");

    private static readonly Gen<string> NotACode = Gen.OneOf<string>(
        Gen.OneOf("AST 2024", "AST-2024;", "AST-2024'--", "<script>", "AST_2024", "AST%2024", "ÄST-2024", "AST-2024-06*", "a b c", "AST+2024", "(AST)"),
        Gen.Int[RequestValues.MaxCodeLength + 1, 200].Select(n => new string('A', n)));

    private static readonly Gen<string> UnknownName = Gen.OneOf("finished", "CSV ", "json", "in progress", "in_progress", "xml", "0", "agreed,completed", "ALL");

    private static Gen<string> HostileQueryValue(QueryParameter parameter)
    {
        var (plausible, kind) = parameter switch
        {
            { Kind: ValueKind.Number } => ("12", NotAnInteger),
            _ when RequestValues.CodeParameters.Contains(parameter.Name) => ("AST-2024", NotACode),
            { Name: "asOf" or "effectiveOn" } => ("2024-07-22", NotADate),
            { Name: "status" or "format" } => ("agreed", UnknownName),
            _ => ("value", (Gen<string>?)null),
        };
        var spliced = Spliced(plausible, ForbiddenInParameter(inPath: false));
        return kind is null ? spliced : Gen.Frequency<string>((1, spliced), (1, kind));
    }

    private static Gen<HostileRequest> QueryCase(ApiOperation operation, QueryParameter parameter) =>
        HostileQueryValue(parameter).Select(value => Request(
            $"query {parameter.Name}", operation, Route(operation) + "?" + parameter.Name + "=" + Escape(value), ValidBody(operation), Json));

    private static Gen<HostileRequest> PathCase(ApiOperation operation, string parameter) =>
        Gen.Frequency<string>(
                (6, Spliced(PathValue(operation, parameter), ForbiddenInParameter(inPath: true))),
                (3, NotACode),
                (1, Gen.OneOf("AST-2024-99", "ZZZ-1999", "ZZZ")))
            .Where(v => v.Trim('.').Length > 0) // a segment of dots is a path step, not a value
            .Select(value => Request($"path {parameter}", operation, Route(operation, (parameter, value)), ValidBody(operation), Json));

    /// <summary>A read with a parameter given twice, or an unknown parameter whose name or value text cannot carry.</summary>
    private static Gen<HostileRequest> ExtraParameterCase(ApiOperation operation)
    {
        var twice = operation.Query.Count == 0
            ? null
            : Gen.OneOf<QueryParameter>([.. operation.Query]).Select(p => $"{p.Name}=1&{p.Name}=2");
        var badName = Spliced("filter", ForbiddenInParameter(inPath: false)).Select(n => Escape(n) + "=1");
        var badValue = Spliced("x", ForbiddenInParameter(inPath: false)).Select(v => "unknownParameter=" + Escape(v));
        var query = twice is null ? Gen.OneOf<string>(badName, badValue) : Gen.OneOf<string>(twice, badName, badValue);
        return query.Select(q => Request("query extra", operation, Route(operation) + "?" + q, null, null));
    }

    // ---- Bodies -------------------------------------------------------------------------------------

    private const string Json = "application/json";
    private const string Marker = "\"@@R6@@\"";

    /// <summary>Where a defect can be laid: a property of the body (or of an object or first list item inside it) and its shape.</summary>
    private sealed record Slot(string[] Path, Shape Shape);

    private static Gen<HostileRequest> BodyCase(ApiOperation operation)
    {
        var valid = ValidBody(operation);
        var slots = Slots(operation).ToArray();
        var limit = LimitOf(operation);
        var defects = new List<(int, IGen<HostileRequest>)>
        {
            (3, NotAnObject.Select(body => Request("body not an object", operation, Route(operation), body, Json))),
            (3, Malformed(valid ?? "{}").Select(body => Request("body malformed", operation, Route(operation), body, Json))),
            (2, Gen.OneOf("text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=iso-8859-1",
                    "application/x-www-form-urlencoded", "application/json-patch+json", "", "json")
                .Where(t => operation.Body?.ContentTypes.Contains(t) != true)
                .Select(type => Request("media type", operation, Route(operation), Encoding.UTF8.GetBytes(valid ?? "{}"), type.Length == 0 ? null : type))),
            // Sent as large uploads are, with Expect: 100-continue: the refusal comes before a byte of the body is sent.
            (1, Gen.Int[1, 2000].Select(extra => Request("oversize declared", operation, Route(operation), Padded(limit + extra), Json,
                headers: new Dictionary<string, string> { ["Expect"] = "100-continue" }))),
            (1, Gen.Int[1, 2000].Select(extra => Request("oversize chunked", operation, Route(operation), Padded(limit + extra), Json, chunked: true))),
            (1, NotAnObject.Select(body => Request("chunked not an object", operation, Route(operation), body, Json, chunked: true))),
            (1, Gen.OneOf<string>(Gen.Int[201, 400].Select(n => new string('k', n)), Gen.OneOf("a key with spaces", " ", "\t", "key\there"))
                .Select(key => Request("idempotency key", operation, Route(operation), valid is null ? null : Encoding.UTF8.GetBytes(valid), valid is null ? null : Json,
                    headers: new Dictionary<string, string> { [IdempotencyHeader] = key }))),
            (2, UnknownProperty(valid).Select(body => Request("body unknown field", operation, Route(operation), body, Json))),
        };

        if (slots.Length > 0)
        {
            var slot = Gen.OneOf<Slot>(slots);
            defects.Add((5, slot.SelectMany(s => WrongType(s.Shape).Select(v => Request($"wrong type {s.Shape.Kind}", operation, Route(operation), Lay(valid, s, v), Json)))));
            defects.Add((5, Gen.OneOf<Slot>(slots.Where(s => s.Shape.Kind is ValueKind.Text or ValueKind.Name or ValueKind.Date).DefaultIfEmpty(slots[0]).ToArray())
                .SelectMany(s => HostileString.Select(v => Request("hostile text", operation, Route(operation), Lay(valid, s, v), Json)))));
            defects.Add((2, slot.SelectMany(s => Gen.Int[9_000, (int)Math.Min(50_000, limit - 2_000)]
                .Select(n => Request("huge string", operation, Route(operation), Lay(valid, s, Encoding.UTF8.GetBytes("\"" + new string('x', n) + "\"")), Json)))));
            defects.Add((2, slot.SelectMany(s => HugeList(s, limit).Select(v => Request("huge list", operation, Route(operation), Lay(valid, s, v), Json)))));
            defects.Add((2, slot.SelectMany(s => DepthBomb.Select(v => Request("deep nesting", operation, Route(operation), Lay(valid, s, v), Json)))));
            defects.Add((2, slot.SelectMany(s => NullInList(s).Select(v => Request("null in a list", operation, Route(operation), Lay(valid, s, v), Json)))));
            defects.Add((2, slot.SelectMany(s => Gen.Bool.Select(upper => Request("duplicated field", operation, Route(operation), Duplicated(valid, s, upper), Json)))));
        }

        return Gen.Frequency<HostileRequest>([.. defects]);
    }

    /// <summary>JSON that is valid but not an object, or no JSON at all.</summary>
    private static readonly Gen<byte[]> NotAnObject = Gen.OneOf(
        "null", "true", "false", "0", "-1.5", "1e400", "\"review\"", "[]", "[{}]", "[null]", "[[[]]]", " ", "\"\\ud800\"", "{}[]")
        .Select(Encoding.UTF8.GetBytes);

    private static Gen<byte[]> Malformed(string valid) => Gen.Frequency<byte[]>(
        (3, Gen.Int[1, Math.Max(1, valid.Length - 1)].Select(n => Encoding.UTF8.GetBytes(valid[..n]))),
        (2, Gen.OneOf("x", "}", ",", "{}", "]", "\u0000", "//").Select(tail => Encoding.UTF8.GetBytes(valid + tail))),
        (1, Gen.Const(Encoding.UTF8.GetBytes(valid.Replace("\":", "\"=", StringComparison.Ordinal)))),
        (1, Gen.Const(Encoding.UTF8.GetBytes(valid.Replace('"', '\'')))),
        (1, Gen.Const(Encoding.UTF8.GetBytes(valid.Insert(1, "/* comment */")))),
        (1, Gen.Const(Encoding.UTF8.GetBytes(valid.Length > 2 ? valid[..^1] + ",}" : "{,}"))),
        (2, Gen.OneOf<byte[]>([0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]).Select(bad => InvalidUtf8(valid, bad))));

    private static byte[] InvalidUtf8(string valid, byte[] bad)
    {
        // Into the first string value: bytes that are no UTF-8 (a lone continuation byte, an overlong or a surrogate's encoding).
        var at = valid.IndexOf(":\"", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(valid).ToList();
        bytes.InsertRange(at < 0 ? 0 : Encoding.UTF8.GetByteCount(valid[..(at + 2)]), bad);
        return [.. bytes];
    }

    /// <summary>A JSON string holding a character no field may hold, written raw (UTF-8) or escaped, or half a surrogate pair (escaped).</summary>
    private static readonly Gen<byte[]> HostileString = Gen.Frequency<byte[]>(
        (4, Gen.Select(Plain, ForbiddenEverywhere, Gen.Bool, Plain, (head, c, raw, tail) =>
            Encoding.UTF8.GetBytes("\"" + head + (raw && c > 0x1F ? char.ConvertFromUtf32(c) : Escaped(c)) + tail + "\""))),
        (1, Gen.Select(Plain, Gen.Int[0xD800, 0xDFFF], Plain, (head, half, tail) =>
            Encoding.UTF8.GetBytes($"\"{head}\\u{half:X4}{tail}\""))));

    private static string Escaped(int scalar) => string.Concat(char.ConvertFromUtf32(scalar).Select(u => $"\\u{(int)u:X4}"));

    /// <summary>A value of another JSON type than the slot's (never null: null means "not given").</summary>
    private static Gen<byte[]> WrongType(Shape shape) => (shape.Kind switch
    {
        ValueKind.Number => Gen.OneOf("\"twelve\"", "\"1.5x\"", "\"\"", "1.5", "1e400", "9223372036854775808", "true", "{}", "[1]", "\"0x10\""),
        ValueKind.Boolean => Gen.OneOf("\"yes\"", "1", "{}", "[]"),
        ValueKind.Name => Gen.OneOf("3", "true", "{}", "[\"on-track\"]", "\"finished\"", "\"\"", "\"on track\"", "\"ON_TRACK\"", "1.5"),
        ValueKind.Date => Gen.OneOf("20260701", "true", "{}", "[]", "\"2026-02-30\"", "\"2026-13-01\"", "\"2026/07/01\"", "\"\"", "\"tomorrow\"", "\"2026-07-01T25:00:00Z\""),
        ValueKind.List => Gen.OneOf("\"IOFS\"", "42", "{}", "true", "[[1]]", "[{}]", "[true]"),
        ValueKind.Record => Gen.OneOf("\"digest\"", "42", "[]", "true"),
        _ => Gen.OneOf("42", "true", "{}", "[]", "[\"x\"]", "-0.5"),
    }).Select(Encoding.UTF8.GetBytes);

    private static readonly Gen<byte[]> DepthBomb = Gen.Select(Gen.Int[ApiJson.Options.MaxDepth + 1, 400], Gen.Bool, (depth, arrays) =>
        Encoding.UTF8.GetBytes(arrays
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));

    private static Gen<byte[]> HugeList(Slot slot, long limit)
    {
        var item = slot.Shape is { Kind: ValueKind.List, Items.Kind: ValueKind.Record }
            ? """{"commitment":"AST-2024-06","code":"AST-2024-72","rating":"on-track","decision":"continue","title":"R6","kind":"call","leads":["IOFS"]}"""
            : "\"IOFS\"";
        var most = (int)Math.Min(5_000, (limit - 1_000) / (item.Length + 1));
        return Gen.Int[Math.Min(2_001, most), most].Select(n => Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat(item, n)) + "]"));
    }

    private static Gen<byte[]> NullInList(Slot slot) =>
        Gen.OneOf("[null]", "[\"IOFS\",null]", "[null,null,null]", "[{},null]").Select(Encoding.UTF8.GetBytes);

    private static Gen<byte[]> UnknownProperty(string? valid) =>
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz"].Array[3, 12], Gen.OneOf("1", "\"x\"", "null", "{}", "[]"), (name, value) =>
        {
            var body = JsonNode.Parse(valid ?? "{}")!.AsObject();
            body["zz" + new string(name)] = JsonNode.Parse(value);
            return Encoding.UTF8.GetBytes(body.ToJsonString());
        });

    /// <summary>The valid body with <paramref name="value"/> (raw JSON bytes) at the slot.</summary>
    private static byte[] Lay(string? valid, Slot slot, byte[] value)
    {
        var body = JsonNode.Parse(valid ?? "{}")!;
        var parent = body;
        foreach (var step in slot.Path[..^1])
        {
            parent = int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? parent[index]! : parent[step]!;
        }

        parent[slot.Path[^1]] = JsonValue.Create("@@R6@@");
        var text = body.ToJsonString();
        var at = text.IndexOf(Marker, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. value, .. Encoding.UTF8.GetBytes(text[(at + Marker.Length)..])];
    }

    /// <summary>The valid body with the slot's property given a second time (in another case, maybe: the reader ignores case).</summary>
    private static byte[] Duplicated(string? valid, Slot slot, bool upper)
    {
        var body = JsonNode.Parse(valid ?? "{}")!;
        var parent = body;
        foreach (var step in slot.Path[..^1])
        {
            parent = int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? parent[index]! : parent[step]!;
        }

        var name = slot.Path[^1];
        var existing = parent.AsObject()[name]?.DeepClone();
        parent.AsObject()[name] = existing?.DeepClone() ?? JsonValue.Create("first");
        parent.AsObject()["@@R6DUP@@"] = existing?.DeepClone() ?? JsonValue.Create("second");
        return Encoding.UTF8.GetBytes(body.ToJsonString().Replace("\"@@R6DUP@@\"", "\"" + (upper ? name.ToUpperInvariant() : name) + "\"", StringComparison.Ordinal));
    }

    private static IEnumerable<Slot> Slots(ApiOperation operation)
    {
        if (operation.Body?.Schema.Properties is not { } properties)
        {
            yield break;
        }

        var valid = ValidBody(operation) is { } text ? JsonNode.Parse(text) : null;
        foreach (var (name, shape) in properties)
        {
            yield return new Slot([name], shape);
            var inside = shape.Kind == ValueKind.List ? shape.Items?.Properties : shape.Properties;
            var present = shape.Kind == ValueKind.List ? valid?[name]?.AsArray().FirstOrDefault() : valid?[name];
            if (inside is null || present is not JsonObject)
            {
                continue;
            }

            foreach (var (inner, innerShape) in inside)
            {
                yield return new Slot(shape.Kind == ValueKind.List ? [name, "0", inner] : [name, inner], innerShape);
            }
        }
    }

    // ---- CSV ----------------------------------------------------------------------------------------

    /// <summary>
    /// A matrix as CSV with the edges real files have (a byte order mark, CRLF, quoted fields with commas,
    /// doubled quotes and formula-looking titles, which are text) and at least one defect the import refuses:
    /// a ragged row, an unclosed quote, another delimiter, an unknown column, a formula or hostile text where
    /// a code, kind, number or date belongs, a line break in a title, bytes that are no UTF-8, no lines at all.
    /// </summary>
    private static Gen<HostileRequest> CsvCase(ApiOperation operation)
    {
        string[] header = ["code", "title", "kind", "leads", "countries", "workingSession", "dueDate", "status"];
        var line = Gen.OneOf("Water security, Central Asia", "Vocational training for \"green\" jobs", "=1+1 is a title", "+more", "-less", "@mention", "Plain title")
            .Select(title => new[] { "code", title, "programme", "IOFS;FAO", "KAZ;TJK", "2", "2026-12-31", "agreed" });
        var defect = Gen.OneOf("ragged", "unclosed quote", "delimiter", "unknown column", "formula in a code", "hostile text", "line break in a title",
            "invalid utf-8", "no lines", "duplicate code", "bom inside");
        var formula = Gen.OneOf("=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://example.org\")", "\t=1", "=cmd|' /C calc'!A0");
        return Gen.Select(line.Array[1, 4], defect, formula, Gen.Int[0, 6], Gen.Bool, Gen.Bool, HostileCsvText, (lines, which, cell, column, bom, crlf, hostile) =>
        {
            var rows = new List<string[]> { header };
            // Codes no ledger holds: a line already present would be left alone, and its defect never read.
            rows.AddRange(lines.Select((l, i) => l.Select((f, j) => j == 0 ? $"AST-2024-{7200 + i}" : f).ToArray()));
            var delimiter = ",";
            var tail = string.Empty;
            byte[]? raw = null;
            var target = rows[^1];
            var defectColumn = new[] { 0, 2, 3, 4, 5, 6, 7 }[column % 7];
            switch (which)
            {
                case "ragged": rows[^1] = [.. target, "extra"]; break;
                case "unclosed quote": tail = ",\"never closed"; break;
                case "delimiter": delimiter = crlf ? ";" : "\t"; break;
                case "unknown column": rows[0] = [.. rows[0][..^1], "colour"]; break;
                case "formula in a code": target[defectColumn] = cell; break;
                case "hostile text": target[defectColumn is 0 ? 1 : defectColumn] = hostile; break;
                case "line break in a title": target[1] = "Two\nlines"; break;
                case "invalid utf-8": raw = [0xC3, 0x28]; break;
                case "no lines": rows.RemoveRange(1, rows.Count - 1); break;
                case "duplicate code": rows.Add([.. target]); break;
                case "bom inside": target[1] = "title\uFEFF"; break;
            }

            var newline = crlf ? "\r\n" : "\n";
            var text = (bom ? "\uFEFF" : string.Empty) + string.Join(newline, rows.Select(r => string.Join(delimiter, r.Select(Quote)))) + tail + newline;
            var bytes = Encoding.UTF8.GetBytes(text);
            if (raw is not null)
            {
                bytes = [.. bytes[..^newline.Length], .. raw, .. Encoding.UTF8.GetBytes(newline)];
            }

            return Request($"csv {which}", operation, Route(operation) + "?meeting=AST-2024", bytes, "text/csv");
        });
    }

    private static readonly Gen<string> HostileCsvText = Gen.Select(Plain, ForbiddenEverywhere, (head, c) => head + char.ConvertFromUtf32(c));

    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(",;\t\"\r\n");

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(NeedsQuotes) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    // ---- Requests -----------------------------------------------------------------------------------

    private const string IdempotencyHeader = "Idempotency-Key";

    private static HostileRequest Request(
        string kind, ApiOperation operation, string target, object? body, string? contentType, bool chunked = false,
        IReadOnlyDictionary<string, string>? headers = null) => new(
        kind, operation, operation.Method, target,
        body switch { byte[] bytes => bytes, string text => Encoding.UTF8.GetBytes(text), _ => null },
        body is null ? null : contentType, chunked, RoleFor(operation), headers ?? new Dictionary<string, string>());

    /// <summary>A role that may use the route, so the refusal is the input's, not the caller's.</summary>
    private static string RoleFor(ApiOperation operation) =>
        operation.IsWrite && !operation.Route.StartsWith("/api/ledger/", StringComparison.Ordinal) && !operation.Route.StartsWith("/api/projections", StringComparison.Ordinal)
            ? LedgerRoles.Secretariat
            : LedgerRoles.Auditor;

    private static string? ValidBody(ApiOperation operation) =>
        operation.IsWrite && operation.Body is not null ? ValidBodies.GetValueOrDefault(operation.OperationId, "{}") : null;

    /// <summary>A body of exactly <paramref name="size"/> bytes: a JSON object with one long string.</summary>
    private static byte[] Padded(long size) => Encoding.UTF8.GetBytes("{\"remarks\":\"" + new string('x', (int)size - 14) + "\"}");

    private static string Route(ApiOperation operation, (string Name, string Value)? hostile = null)
    {
        var route = operation.Route;
        foreach (var parameter in operation.PathParameters)
        {
            var value = hostile is { } h && h.Name == parameter ? h.Value : PathValue(operation, parameter);
            route = route.Replace("{" + parameter + "}", Escape(value), StringComparison.Ordinal);
        }

        return route;
    }

    /// <summary>A value the route finds for its path parameter (a meeting, organization, country or commitment code).</summary>
    private static string PathValue(ApiOperation operation, string parameter) => parameter switch
    {
        "iso3" => "AFG",
        _ when operation.Route.Contains("/meetings/{", StringComparison.Ordinal) => "AST-2024",
        _ when operation.Route.Contains("/organizations/{", StringComparison.Ordinal) => "FAO",
        _ => "AST-2024-06",
    };

    /// <summary>Percent-encodes every byte of the UTF-8 form that is not unreserved (RFC 3986), so the server decodes exactly this value.</summary>
    private static string Escape(string value)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return text.ToString();
    }

    /// <summary>The body limit of a route, from the host's own declaration on its endpoint method.</summary>
    private static long LimitOf(ApiOperation operation) =>
        typeof(LedgerWriteAttribute).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<WolverinePostAttribute>()?.Template == operation.Route)
            .Select(m => m.GetCustomAttribute<LedgerWriteAttribute>()?.MaxBodyBytes)
            .FirstOrDefault() ?? WriteLimits.CommandBodyBytes;
}
