using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ServerlessTracker.FunctionApp.Tests.Support;

/// <summary>
/// HTTP/1.1 over a bare socket: the request target goes out byte for byte (HttpClient would normalise escapes),
/// and the answer comes back as bytes (Content-Length, chunked, or up to close).
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, byte[] Body)> GetAsync(Uri server, string target, params (string Name, string Value)[] headers)
    {
        using var socket = new TcpClient(server.HostNameType == UriHostNameType.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        await socket.ConnectAsync(server.Host.Trim('[', ']'), server.Port);
        var stream = socket.GetStream();
        var head = new StringBuilder($"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        var bytes = received.ToArray();
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var lines = Encoding.Latin1.GetString(bytes, 0, split).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var body = bytes[(split + 4)..];
        var chunked = lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return (status, chunked ? Dechunk(body) : body);
    }

    /// <summary>Percent-decodes bytewise (no UTF-8, no '+'): what a tracker's query parser sees.</summary>
    public static byte[] PercentDecode(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length)
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (true)
        {
            var end = body.AsSpan(position).IndexOf("\r\n"u8) + position;
            var size = int.Parse(Encoding.Latin1.GetString(body, position, end - position).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return output.ToArray();
            }

            output.Write(body, end + 2, size);
            position = end + 2 + size + 2;
        }
    }
}
