using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ledger.Domain.Audit;

/// <summary>
/// The canonical text of a JSON value, so the same value always hashes the same however it was
/// stored: object members sorted by name (ordinal, UTF-16 code units), no insignificant white
/// space, strings escaped only where JSON requires it (quote, backslash, control characters as
/// <c>\uXXXX</c> except <c>\b \f \n \r \t</c>), numbers as written. This is what
/// <c>jq --compact-output --sort-keys</c> produces for the ledger's events (which hold no
/// floating-point numbers), so anyone can recompute an event's hash with standard tools.
/// </summary>
/// <remarks>
/// <para>
/// Verification canonicalises every stored event, so text is canonicalised in one pass over its
/// UTF-8 bytes straight into a reused buffer, without building a document or any string: each
/// object's members are written as they come, then moved into name order once the object closes.
/// </para>
/// <para>
/// Names are compared on their UTF-8 bytes, which orders them by code point. UTF-16 code units
/// order differently in one place only: characters beyond the Basic Multilingual Plane (UTF-16
/// surrogates, 0xD800–0xDFFF) sort before U+E000–U+FFFF, whereas their code points sort after. At
/// the first byte where two names differ both bytes start a character (or both continue the same
/// one), so ranking the lead bytes of U+E000–U+FFFF (0xEE, 0xEF) above those of the supplementary
/// planes (0xF0–0xF4) gives exactly the UTF-16 order.
/// </para>
/// <para>
/// What the text may hold is what <see cref="JsonDocument"/> accepts with default options, and a
/// refusal is raised the same way: <see cref="ArgumentException"/> for text that is not valid UTF-16,
/// <see cref="JsonException"/> for text that is not JSON or nests deeper than 64 levels, and
/// <see cref="InvalidOperationException"/> for a <c>\u</c> escape that names half a surrogate pair
/// (only once the whole text is known to be JSON). Members with the same name are all kept, in the
/// order they were written.
/// </para>
/// <para>
/// jq (1.6) departs from this form in two places the ledger's events do not reach: it orders names
/// by code point, so names mixing characters beyond U+FFFF with U+E000–U+FFFF sort differently,
/// and it escapes DEL (U+007F), which this form writes as is.
/// </para>
/// </remarks>
public static class CanonicalJson
{
    private const int MaxDepth = 64;

    /// <summary>Where a run of string content that is already canonical ends.</summary>
    private static readonly SearchValues<byte> StringContentStops = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    public static string Canonicalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var buffer = CanonicalBuffer.Rent();
        try
        {
            Append(json, buffer);
            return Encoding.UTF8.GetString(buffer.Written);
        }
        finally
        {
            CanonicalBuffer.Return(buffer);
        }
    }

    /// <summary>Appends the canonical UTF-8 form of the JSON text <paramref name="json"/> to <paramref name="buffer"/>.</summary>
    internal static void Append(ReadOnlySpan<char> json, CanonicalBuffer buffer)
    {
        var utf8 = buffer.Transcode(json);

        // Canonical text is never longer than its source: white space goes, and every escape is
        // rewritten as at most as many bytes as it took.
        buffer.EnsureCapacity(utf8.Length + CanonicalBuffer.Slack);
        var parser = new Parser(utf8, buffer);
        buffer.Length = parser.Run(buffer.Length);
    }

    /// <summary>
    /// Appends <paramref name="value"/> as a canonical JSON string. Unpaired surrogates become
    /// U+FFFD, as <see cref="JsonSerializer"/> writes them.
    /// </summary>
    internal static void AppendString(ReadOnlySpan<char> value, CanonicalBuffer buffer)
    {
        var utf8 = buffer.TranscodeReplacing(value);
        buffer.EnsureCapacity(2 + (utf8.Length * 6));
        var output = buffer.Spare;
        output[0] = (byte)'"';
        var written = 1;
        var canonicalRun = utf8.IndexOfAny(StringContentStops);
        if (canonicalRun < 0)
        {
            utf8.CopyTo(output[written..]);
            written += utf8.Length;
        }
        else
        {
            utf8[..canonicalRun].CopyTo(output[written..]);
            written += canonicalRun;
            foreach (var b in utf8[canonicalRun..])
            {
                written = WriteCanonicalByte(b, output, written);
            }
        }

        output[written++] = (byte)'"';
        buffer.Length += written;
    }

    /// <summary>Appends the string <paramref name="value"/> as canonical JSON; <see langword="null"/> is written as <c>null</c>.</summary>
    internal static void AppendString(string? value, CanonicalBuffer buffer)
    {
        if (value is null)
        {
            buffer.Append("null"u8);
        }
        else
        {
            AppendString(value.AsSpan(), buffer);
        }
    }

    /// <summary>Writes one byte of a string's content (a whole ASCII character or part of a longer one) as canonical JSON.</summary>
    private static int WriteCanonicalByte(byte b, Span<byte> output, int written)
    {
        switch (b)
        {
            case (byte)'"':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'"';
                return written + 2;
            case (byte)'\\':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'\\';
                return written + 2;
            case (byte)'\b':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'b';
                return written + 2;
            case (byte)'\f':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'f';
                return written + 2;
            case (byte)'\n':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'n';
                return written + 2;
            case (byte)'\r':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'r';
                return written + 2;
            case (byte)'\t':
                output[written] = (byte)'\\';
                output[written + 1] = (byte)'t';
                return written + 2;
            case < 0x20:
                "\\u00"u8.CopyTo(output[written..]);
                output[written + 4] = LowercaseHex[b >> 4];
                output[written + 5] = LowercaseHex[b & 0xF];
                return written + 6;
            default:
                output[written] = b;
                return written + 1;
        }
    }

    private static ReadOnlySpan<byte> LowercaseHex => "0123456789abcdef"u8;

    /// <summary>
    /// UTF-16 code unit order over UTF-8 bytes (see the remarks on <see cref="CanonicalJson"/>):
    /// the lead bytes of U+E000–U+FFFF rank above those of the supplementary planes; every other
    /// byte keeps its value.
    /// </summary>
    private static int Utf16Rank(byte b) => b is 0xEE or 0xEF ? b + 8 : b;

    /// <summary>
    /// The first eight bytes of a name, ranked and big-endian (zeros after a shorter name), so most
    /// names compare as one number: where two prefixes differ, so do the names, in the same order.
    /// </summary>
    /// <param name="nameAndMore">The name followed by at least eight readable bytes.</param>
    /// <param name="length">The name's length.</param>
    private static ulong SortPrefix(ReadOnlySpan<byte> nameAndMore, int length)
    {
        var prefix = BinaryPrimitives.ReadUInt64BigEndian(nameAndMore);
        if (length < sizeof(ulong))
        {
            prefix &= ~(ulong.MaxValue >> (8 * length));
        }

        if ((prefix & 0x8080808080808080UL) == 0)
        {
            return prefix;
        }

        var ranked = 0UL;
        for (var shift = 56; shift >= 0; shift -= 8)
        {
            ranked |= (ulong)Utf16Rank((byte)(prefix >> shift)) << shift;
        }

        return ranked;
    }

    /// <summary>Orders two decoded names by UTF-16 code units.</summary>
    private static int CompareNames(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var common = x.CommonPrefixLength(y);
        return common == x.Length || common == y.Length
            ? x.Length.CompareTo(y.Length)
            : Utf16Rank(x[common]).CompareTo(Utf16Rank(y[common]));
    }

    /// <summary>An object member already written to the output, and where to find its decoded name.</summary>
    internal struct Member
    {
        /// <summary>The name's first eight bytes (see <see cref="SortPrefix"/>).</summary>
        public ulong NamePrefix;

        /// <summary>Where the decoded name starts: in the input when it held no escape, else in the decoded names.</summary>
        public int NameStart;

        public int NameLength;

        public bool NameDecoded;

        /// <summary>Where <c>"name":value</c> starts and ends in the output.</summary>
        public int Start;

        public int End;
    }

    /// <summary>
    /// Orders members, given by their index in the members' stack, by name and then by where they
    /// were written; used for objects with many members.
    /// </summary>
    private sealed class MemberOrder(Member[] members, byte[] input, byte[] decodedNames) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var byName = CompareMembers(members[x], members[y], input, decodedNames);
            return byName != 0 ? byName : x.CompareTo(y);
        }
    }

    private static int CompareMembers(in Member x, in Member y, ReadOnlySpan<byte> input, ReadOnlySpan<byte> decodedNames)
    {
        if (x.NamePrefix != y.NamePrefix)
        {
            return x.NamePrefix < y.NamePrefix ? -1 : 1;
        }

        return CompareNames(
            (x.NameDecoded ? decodedNames : input).Slice(x.NameStart, x.NameLength),
            (y.NameDecoded ? decodedNames : input).Slice(y.NameStart, y.NameLength));
    }

    /// <summary>
    /// Reads JSON text and writes its canonical form in the same pass. Input and output are the
    /// buffer's arrays, sized beforehand, so nothing is allocated for ordinary documents.
    /// </summary>
    private ref struct Parser
    {
        /// <summary>Objects up to this many members (every event's) are sorted in place, allocating nothing.</summary>
        private const int InsertionSortLimit = 64;

        private readonly ReadOnlySpan<byte> _json;

        /// <summary>The input followed by at least <see cref="CanonicalBuffer.Slack"/> bytes, so strings can be read a vector at a time.</summary>
        private readonly ReadOnlySpan<byte> _paddedJson;
        private readonly Span<byte> _output;
        private readonly CanonicalBuffer _buffer;
        private Member[] _members;
        private int _position;
        private int _written;
        private int _depth;
        private int _memberCount;
        private int _decodedNamesLength;
        private string? _invalidSurrogate;

        public Parser(ReadOnlySpan<byte> json, CanonicalBuffer buffer)
        {
            _json = json;
            _paddedJson = buffer.Input;
            _buffer = buffer;
            _output = buffer.Output;
            _members = buffer.Members;
            buffer.EnsureScratch(json.Length + CanonicalBuffer.Slack);
        }

        /// <summary>Writes the canonical form from <paramref name="start"/> on and returns where it ends.</summary>
        public int Run(int start)
        {
            _written = start;
            WriteValue();
            SkipWhiteSpace();
            if (_position < _json.Length)
            {
                throw Invalid("more text follows the JSON value");
            }

            // The whole text is JSON; only now is a broken surrogate escape reported, as JsonDocument
            // reports it only when the string is read.
            if (_invalidSurrogate is not null)
            {
                throw new InvalidOperationException(_invalidSurrogate);
            }

            return _written;
        }

        private readonly int Peek() => _position < _json.Length ? _json[_position] : -1;

        private void SkipWhiteSpace()
        {
            while (_position < _json.Length && _json[_position] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                _position++;
            }
        }

        private void WriteValue()
        {
            SkipWhiteSpace();
            switch (Peek())
            {
                case '{':
                    WriteObject();
                    break;
                case '[':
                    WriteArray();
                    break;
                case '"':
                    WriteString();
                    break;
                case 't':
                    WriteLiteral("true"u8);
                    break;
                case 'f':
                    WriteLiteral("false"u8);
                    break;
                case 'n':
                    WriteLiteral("null"u8);
                    break;
                case '-' or (>= '0' and <= '9'):
                    WriteNumber();
                    break;
                case -1:
                    throw Invalid("the text ends where a value should be");
                default:
                    throw Invalid("a value cannot start here");
            }
        }

        private void Enter()
        {
            if (++_depth > MaxDepth)
            {
                throw Invalid($"the value nests deeper than {MaxDepth} levels");
            }
        }

        private void WriteObject()
        {
            Enter();
            _position++;
            _output[_written++] = (byte)'{';
            SkipWhiteSpace();
            if (Peek() == '}')
            {
                _position++;
                _output[_written++] = (byte)'}';
                _depth--;
                return;
            }

            var first = _memberCount;
            while (true)
            {
                SkipWhiteSpace();
                if (Peek() != '"')
                {
                    throw Invalid("a member name must be a string");
                }

                var index = _memberCount++;
                if (index == _members.Length)
                {
                    _buffer.GrowMembers();
                    _members = _buffer.Members;
                }

                var start = _written;
                var nameStart = _position + 1;
                var escaped = WriteString();
                ref var member = ref _members[index];
                member.Start = start;
                if (escaped)
                {
                    member.NameDecoded = true;
                    member.NameStart = _decodedNamesLength;
                    member.NameLength = DecodeName(_output[(start + 1)..(_written - 1)], _buffer.DecodedNames.AsSpan(_decodedNamesLength));
                    _decodedNamesLength += member.NameLength;
                    member.NamePrefix = SortPrefix(_buffer.DecodedNames.AsSpan(member.NameStart), member.NameLength);
                }
                else
                {
                    member.NameDecoded = false;
                    member.NameStart = nameStart;
                    member.NameLength = _position - 1 - nameStart;
                    member.NamePrefix = SortPrefix(_paddedJson[nameStart..], member.NameLength);
                }

                SkipWhiteSpace();
                if (Peek() != ':')
                {
                    throw Invalid("a member name must be followed by ':'");
                }

                _position++;
                _output[_written++] = (byte)':';
                WriteValue();
                _members[index].End = _written;
                SkipWhiteSpace();
                var next = Peek();
                if (next == ',')
                {
                    _position++;
                    _output[_written++] = (byte)',';
                }
                else if (next == '}')
                {
                    _position++;
                    break;
                }
                else
                {
                    throw Invalid("an object member must be followed by ',' or '}'");
                }
            }

            SortMembers(first);
            _memberCount = first;
            _output[_written++] = (byte)'}';
            _depth--;
        }

        /// <summary>Puts the members of the object just written into name order, keeping equal names in written order.</summary>
        private readonly void SortMembers(int first)
        {
            var count = _memberCount - first;
            if (count < 2)
            {
                return;
            }

            var members = _members;
            var input = _json;
            var decodedNames = _buffer.DecodedNames;
            var order = _buffer.Order.AsSpan(0, count);
            var moved = false;
            if (count <= InsertionSortLimit)
            {
                // Insertion sort, stable, with the name prefixes beside the order so that most
                // comparisons are of two numbers next to each other.
                var prefixes = _buffer.OrderPrefixes.AsSpan(0, count);
                for (var i = 0; i < count; i++)
                {
                    var index = first + i;
                    var prefix = members[index].NamePrefix;
                    var j = i;
                    while (j > 0 && (prefixes[j - 1] > prefix
                        || (prefixes[j - 1] == prefix && CompareMembers(members[order[j - 1]], members[index], input, decodedNames) > 0)))
                    {
                        order[j] = order[j - 1];
                        prefixes[j] = prefixes[j - 1];
                        j--;
                    }

                    order[j] = index;
                    prefixes[j] = prefix;
                    moved |= j != i;
                }
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    order[i] = first + i;
                }

                order.Sort(new MemberOrder(members, _buffer.Input, decodedNames));
                for (var i = 0; i < count && !moved; i++)
                {
                    moved = order[i] != first + i;
                }
            }

            if (!moved)
            {
                return;
            }

            var regionStart = members[first].Start;
            var region = _output[regionStart..members[_memberCount - 1].End];
            var copy = _buffer.Reorder.AsSpan(0, region.Length);
            region.CopyTo(copy);
            var written = regionStart;
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    _output[written++] = (byte)',';
                }

                ref readonly var member = ref members[order[i]];
                var text = copy[(member.Start - regionStart)..(member.End - regionStart)];
                text.CopyTo(_output[written..]);
                written += text.Length;
            }
        }

        private void WriteArray()
        {
            Enter();
            _position++;
            _output[_written++] = (byte)'[';
            SkipWhiteSpace();
            if (Peek() == ']')
            {
                _position++;
                _output[_written++] = (byte)']';
                _depth--;
                return;
            }

            while (true)
            {
                WriteValue();
                SkipWhiteSpace();
                var next = Peek();
                if (next == ',')
                {
                    _position++;
                    _output[_written++] = (byte)',';
                }
                else if (next == ']')
                {
                    _position++;
                    break;
                }
                else
                {
                    throw Invalid("an array item must be followed by ',' or ']'");
                }
            }

            _output[_written++] = (byte)']';
            _depth--;
        }

        /// <summary>Writes the string starting at the current quote; says whether it held any escape.</summary>
        private bool WriteString()
        {
            _position++;
            _output[_written++] = (byte)'"';
            var escaped = false;
            while (true)
            {
                CopyStringContent();
                if (_position >= _json.Length)
                {
                    throw Invalid("a string is not closed");
                }

                var stop = _json[_position];
                if (stop == '"')
                {
                    _position++;
                    _output[_written++] = (byte)'"';
                    return escaped;
                }

                if (stop != '\\')
                {
                    throw Invalid("a control character in a string must be escaped");
                }

                _position++;
                escaped = true;
                WriteEscape();
            }
        }

        /// <summary>
        /// Copies string content up to the next quote, backslash or control character (or past the
        /// end of the input), sixteen bytes at a time: content needs no change unless it holds one
        /// of those. Both buffers have room past their ends for the last, partly used, sixteen bytes;
        /// the output never runs ahead of the input, as canonical text is never longer.
        /// </summary>
        private void CopyStringContent()
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)' ');
            while (_position < _json.Length)
            {
                var chunk = Vector128.Create(_paddedJson.Slice(_position, Vector128<byte>.Count));
                chunk.CopyTo(_output.Slice(_written, Vector128<byte>.Count));
                var stops = (Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash) | Vector128.LessThan(chunk, space))
                    .ExtractMostSignificantBits();
                if (stops != 0)
                {
                    var run = BitOperations.TrailingZeroCount(stops);
                    _position += run;
                    _written += run;
                    return;
                }

                _position += Vector128<byte>.Count;
                _written += Vector128<byte>.Count;
            }
        }

        /// <summary>Writes the character of the escape after a backslash in its canonical form.</summary>
        private void WriteEscape()
        {
            switch (Peek())
            {
                case '"':
                case '\\':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    _output[_written++] = (byte)'\\';
                    _output[_written++] = _json[_position++];
                    break;
                case '/':
                    _position++;
                    _output[_written++] = (byte)'/';
                    break;
                case 'u':
                    _position++;
                    WriteUnicodeEscape();
                    break;
                case -1:
                    throw Invalid("a string is not closed");
                default:
                    throw Invalid("not a JSON escape");
            }
        }

        private void WriteUnicodeEscape()
        {
            var unit = ReadHex4();
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (_position + 6 <= _json.Length
                    && _json[_position] == '\\'
                    && _json[_position + 1] == 'u'
                    && TryParseHex4(_json.Slice(_position + 2, 4), out var low)
                    && low is >= 0xDC00 and <= 0xDFFF)
                {
                    _position += 6;
                    WriteScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                }
                else
                {
                    _invalidSurrogate ??= $"A string escapes the high surrogate 0x{unit:X4} without the low surrogate that must follow it.";
                }
            }
            else if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                _invalidSurrogate ??= $"A string escapes the low surrogate 0x{unit:X4} without the high surrogate that must precede it.";
            }
            else
            {
                WriteScalar(unit);
            }
        }

        private int ReadHex4()
        {
            if (_position + 4 > _json.Length || !TryParseHex4(_json.Slice(_position, 4), out var value))
            {
                throw Invalid("\\u must be followed by four hexadecimal digits");
            }

            _position += 4;
            return value;
        }

        private static bool TryParseHex4(ReadOnlySpan<byte> digits, out int value)
        {
            value = 0;
            foreach (var digit in digits)
            {
                var nibble = digit switch
                {
                    >= (byte)'0' and <= (byte)'9' => digit - '0',
                    >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                    >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                    _ => -1,
                };
                if (nibble < 0)
                {
                    return false;
                }

                value = (value << 4) | nibble;
            }

            return true;
        }

        /// <summary>Writes a code point (never a surrogate) as canonical string content.</summary>
        private void WriteScalar(int scalar)
        {
            if (scalar < 0x80)
            {
                _written = WriteCanonicalByte((byte)scalar, _output, _written);
            }
            else
            {
                _written += new Rune(scalar).EncodeToUtf8(_output[_written..]);
            }
        }

        private void WriteNumber()
        {
            var start = _position;
            if (_json[_position] == '-')
            {
                _position++;
            }

            if (Peek() == '0')
            {
                _position++;
            }
            else
            {
                WriteDigits();
            }

            if (Peek() == '.')
            {
                _position++;
                WriteDigits();
            }

            if (Peek() is 'e' or 'E')
            {
                _position++;
                if (Peek() is '+' or '-')
                {
                    _position++;
                }

                WriteDigits();
            }

            // Numbers are short: a loop beats a call to copy memory.
            for (var i = start; i < _position; i++)
            {
                _output[_written++] = _json[i];
            }
        }

        /// <summary>Moves over one or more digits.</summary>
        private void WriteDigits()
        {
            if (Peek() is not (>= '0' and <= '9'))
            {
                throw Invalid("a number needs a digit here");
            }

            while (Peek() is >= '0' and <= '9')
            {
                _position++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void WriteLiteral(ReadOnlySpan<byte> literal)
        {
            if (!_json[_position..].StartsWith(literal))
            {
                throw Invalid("not a JSON literal");
            }

            _position += literal.Length;
            literal.CopyTo(_output[_written..]);
            _written += literal.Length;
        }

        /// <summary>Undoes the canonical escapes of a name written to the output, so names sort by their characters.</summary>
        private static int DecodeName(ReadOnlySpan<byte> canonical, Span<byte> decoded)
        {
            var length = 0;
            for (var i = 0; i < canonical.Length; i++)
            {
                var b = canonical[i];
                if (b != '\\')
                {
                    decoded[length++] = b;
                    continue;
                }

                i++;
                decoded[length++] = canonical[i] switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    (byte)'u' => (byte)((HexValue(canonical[i + 3]) << 4) | HexValue(canonical[i + 4])),
                    var escaped => escaped,
                };
                if (canonical[i] == 'u')
                {
                    i += 4;
                }
            }

            return length;
        }

        private static int HexValue(byte digit) => digit <= '9' ? digit - '0' : digit - 'a' + 10;

        private readonly JsonException Invalid(string problem) =>
            new($"Not valid JSON: {problem} (byte {_position} of the UTF-8 text).", null, null, _position);
    }
}
