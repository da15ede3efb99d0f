using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ledger.Reliability.Tests.Input;

/// <summary>The status line, Content-Type and body of an answer read off a raw connection.</summary>
public sealed record RawAnswer(int Status, string? ContentType, string Body);

/// <summary>
/// Sends bytes no HTTP client library would send (a NUL or a control byte in the request line, a header
/// with a NUL, a malformed chunk) over a loopback TCP connection, and reads the answer: what the server
/// itself does with a request it cannot parse.
/// </summary>
public static class RawHttp
{
    public static async Task<RawAnswer> SendAsync(Uri host, byte[] request, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host.Host, host.Port, cancel.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(request, cancel.Token);
        await stream.FlushAsync(cancel.Token);

        // The server answers and closes (every request here is bad, or asks to close): read to the end.
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // Reset after the answer: the server dropped the rest of a request it refused.
        }

        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    public static byte[] Request(string method, string target, IEnumerable<string> headers, byte[]? body = null) =>
        Request(method, Encoding.Latin1.GetBytes(target), headers, body);

    /// <summary>A request whose target is these bytes exactly, and whose header lines are these (Latin-1, as they stand).</summary>
    public static byte[] Request(string method, byte[] target, IEnumerable<string> headers, byte[]? body = null)
    {
        var head = new StringBuilder();
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(method + " "), .. target, .. " HTTP/1.1\r\n"u8, .. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    private static RawAnswer Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ') is [_, var code, ..] && int.TryParse(code, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var contentType = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
        return new RawAnswer(status, contentType, end < 0 ? string.Empty : text[(end + 4)..]);
    }
}
