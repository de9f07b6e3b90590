using System.Net.Sockets;
using System.Text;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>One TCP connection to the tracker that sends bytes exactly as given (split, pipelined, malformed) and reads
/// HTTP/1.1 answers one at a time (Content-Length bodies), for tests of connection handling.</summary>
public sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(20);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly MemoryStream _pending = new();

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(Uri server)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.Host.Trim('[', ']'), server.Port);
        return new RawConnection(client);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads one whole answer; fails if the server closes or stays silent first.</summary>
    public async Task<RawResponse> ReadResponseAsync()
    {
        using var timeout = new CancellationTokenSource(ReadLimit);
        int headEnd;
        while ((headEnd = Buffered().IndexOf("\r\n\r\n"u8)) < 0)
        {
            Assert.True(await FillAsync(timeout.Token), $"the server closed the connection before answering (got: {Encoding.Latin1.GetString(_pending.ToArray())})");
        }

        var head = Encoding.Latin1.GetString(Buffered()[..headEnd]);
        var lines = head.Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var status = int.Parse(lines[0].Split(' ')[1]);
        var contentLength = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        if (contentLength is null)
        {
            Assert.Equal("chunked", headers.Single(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value);
            return await ReadChunkedAsync(status, head, headers, headEnd + 4, timeout.Token);
        }

        var length = int.Parse(contentLength);
        while (Buffered().Length < headEnd + 4 + length)
        {
            Assert.True(await FillAsync(timeout.Token), "the server closed the connection in the middle of an answer");
        }

        var all = Buffered()[..(headEnd + 4 + length)].ToArray();
        Consume(all.Length);
        return new RawResponse(status, head, headers, all[(headEnd + 4)..], all);
    }

    /// <summary>Whether the server closes the connection (after any unread answer) within <paramref name="within"/>.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await FillAsync(timeout.Token))
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<RawResponse> ReadChunkedAsync(int status, string head, List<KeyValuePair<string, string>> headers, int bodyStart, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var at = bodyStart;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = Buffered()[at..].IndexOf("\r\n"u8)) < 0)
            {
                Assert.True(await FillAsync(cancellationToken), "the server closed the connection in the middle of a chunked answer");
            }

            var size = Convert.ToInt32(Encoding.ASCII.GetString(Buffered().Slice(at, lineEnd)), 16);
            while (Buffered().Length < at + lineEnd + 2 + size + 2)
            {
                Assert.True(await FillAsync(cancellationToken), "the server closed the connection in the middle of a chunked answer");
            }

            body.Write(Buffered().Slice(at + lineEnd + 2, size));
            at += lineEnd + 2 + size + 2;
            if (size == 0)
            {
                var all = Buffered()[..at].ToArray();
                Consume(at);
                return new RawResponse(status, head, headers, body.ToArray(), all);
            }
        }
    }

    private ReadOnlySpan<byte> Buffered() => _pending.GetBuffer().AsSpan(0, (int)_pending.Length);

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        var chunk = new byte[16384];
        var read = await _stream.ReadAsync(chunk, cancellationToken);
        _pending.Write(chunk, 0, read);
        return read > 0;
    }

    private void Consume(int count)
    {
        var rest = Buffered()[count..].ToArray();
        _pending.SetLength(0);
        _pending.Write(rest);
    }
}

/// <summary>One HTTP answer as received: status, head text, headers in order, body, and every byte of it.</summary>
public sealed record RawResponse(int Status, string Head, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, byte[] Bytes)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public ServerlessTracker.Protocol.Bencode.BencodeValue Bencode() => ServerlessTracker.Protocol.Bencode.BencodeDecoder.Decode(Body);
}
