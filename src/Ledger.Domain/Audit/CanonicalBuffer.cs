using System.Text;
using System.Text.Json;
using System.Buffers;
using System.Text.Unicode;

namespace Ledger.Domain.Audit;

/// <summary>
/// Memory reused, per thread, by canonicalisation and hashing, so that checking a ledger of
/// millions of events allocates nothing per event: the output being built, the input as UTF-8,
/// and the parser's working space. Buffers that grew for an unusually large document are let go.
/// </summary>
internal sealed class CanonicalBuffer
{
    private const int InitialSize = 4096;
    private const int LargestKept = 1 << 20;

    [ThreadStatic]
    private static CanonicalBuffer? s_cached;

    private byte[] _input = new byte[InitialSize];
    private byte[] _text = new byte[InitialSize];

    /// <summary>What has been built so far: the first <see cref="Length"/> bytes.</summary>
    public byte[] Output { get; private set; } = new byte[InitialSize];

    public int Length { get; set; }

    public ReadOnlySpan<byte> Written => Output.AsSpan(0, Length);

    /// <summary>The room after what has been built.</summary>
    public Span<byte> Spare => Output.AsSpan(Length);

    /// <summary>The input being parsed, as UTF-8.</summary>
    public byte[] Input => _input;

    /// <summary>Room kept after the input and the output, so that strings can be copied a vector at a time.</summary>
    public const int Slack = 16;

    /// <summary>The parser's object members (a stack: nested objects sit above their parent's).</summary>
    public CanonicalJson.Member[] Members { get; private set; } = new CanonicalJson.Member[64];

    /// <summary>The members of the object being sorted, in name order, as indexes into <see cref="Members"/>.</summary>
    public int[] Order { get; private set; } = new int[64];

    /// <summary>The name prefixes of <see cref="Order"/>, in the same order.</summary>
    public ulong[] OrderPrefixes { get; private set; } = new ulong[64];

    /// <summary>The names that held escapes, decoded.</summary>
    public byte[] DecodedNames { get; private set; } = new byte[InitialSize];

    /// <summary>A copy of an object's members while they are written back in order.</summary>
    public byte[] Reorder { get; private set; } = new byte[InitialSize];

    public void GrowMembers()
    {
        Members = [.. Members, .. new CanonicalJson.Member[Members.Length]];
        Order = new int[Members.Length];
        OrderPrefixes = new ulong[Members.Length];
    }

    public static CanonicalBuffer Rent()
    {
        var buffer = s_cached ?? new CanonicalBuffer();
        s_cached = null;
        buffer.Length = 0;
        return buffer;
    }

    public static void Return(CanonicalBuffer buffer)
    {
        if (buffer.Output.Length <= LargestKept && buffer._input.Length <= LargestKept && buffer._text.Length <= LargestKept
            && buffer.Reorder.Length <= LargestKept && buffer.DecodedNames.Length <= LargestKept)
        {
            s_cached = buffer;
        }
    }

    /// <summary>Makes room for <paramref name="count"/> more bytes of output.</summary>
    public void EnsureCapacity(int count)
    {
        if (Output.Length - Length < count)
        {
            var grown = new byte[Math.Max(Output.Length * 2, Length + count)];
            Written.CopyTo(grown);
            Output = grown;
        }
    }

    /// <summary>Makes the parser's working space as large as an input of <paramref name="length"/> UTF-8 bytes can need.</summary>
    public void EnsureScratch(int length)
    {
        if (DecodedNames.Length < length)
        {
            DecodedNames = new byte[Math.Max(DecodedNames.Length * 2, length)];
        }

        if (Reorder.Length < length)
        {
            Reorder = new byte[Math.Max(Reorder.Length * 2, length)];
        }
    }

    public void Append(byte value)
    {
        EnsureCapacity(1);
        Output[Length++] = value;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(Spare);
        Length += bytes.Length;
    }

    /// <summary>Appends text as UTF-8, unpaired surrogates as U+FFFD (as <see cref="Encoding.UTF8"/> does).</summary>
    public void AppendUtf8(ReadOnlySpan<char> text)
    {
        EnsureCapacity(text.Length * 3);
        Utf8.FromUtf16(text, Spare, out _, out var written, replaceInvalidSequences: true);
        Length += written;
    }

    /// <summary>Converts JSON text to UTF-8, refusing unpaired surrogates as <see cref="JsonDocument"/> does.</summary>
    public ReadOnlySpan<byte> Transcode(ReadOnlySpan<char> json)
    {
        Grow(ref _input, (json.Length * 3) + Slack);
        if (Utf8.FromUtf16(json, _input, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            throw new ArgumentException("The JSON text is not valid UTF-16: it holds an unpaired surrogate.", nameof(json));
        }

        return _input.AsSpan(0, written);
    }

    /// <summary>Converts a string value to UTF-8 in scratch space, unpaired surrogates as U+FFFD.</summary>
    public ReadOnlySpan<byte> TranscodeReplacing(ReadOnlySpan<char> text)
    {
        Grow(ref _text, text.Length * 3);
        Utf8.FromUtf16(text, _text, out _, out var written, replaceInvalidSequences: true);
        return _text.AsSpan(0, written);
    }

    private static void Grow(ref byte[] array, int length)
    {
        if (array.Length < length)
        {
            array = new byte[Math.Max(array.Length * 2, length)];
        }
    }
}
