namespace Ledger.Testing;

/// <summary>A body whose length the client does not know: HttpClient sends it without Content-Length, in chunks.</summary>
public sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();
}
