using System.Net.Sockets;
using System.Text;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>Sends a request line byte for byte, for input HttpClient would repair (bad escapes, odd methods).</summary>
public static class RawHttp
{
    public static async Task<(int Status, byte[] Body)> SendAsync(Uri server, string method, string target)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host.Trim('[', ']'), server.Port);
        var stream = socket.GetStream();
        var request = Encoding.Latin1.GetBytes($"{method} {target} HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        await stream.WriteAsync(request);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        var bytes = received.ToArray();
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.Latin1.GetString(bytes, 0, split);
        var status = int.Parse(head.Split(' ')[1]);
        return (status, bytes[(split + 4)..]);
    }
}
