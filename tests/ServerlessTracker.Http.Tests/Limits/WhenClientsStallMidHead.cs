using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ServerlessTracker.Http.Tests.Listener;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Limits;

/// <summary>A connection that sends blank lines, garbage or part of a head and then waits is answered (4xx) or closed within
/// 2 s on every HTTP front door of the self-hosted server, with the default settings: Kestrel's port with the fast path on
/// and off, and the tracker listener. Never held for Kestrel's keep-alive or a long header timeout.</summary>
public sealed class WhenClientsStallMidHead : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private RunningTracker _fastPath = null!;
    private RunningTracker _kestrelOnly = null!;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var door in new[] { "fast path", "kestrel", "listener" })
        {
            foreach (var stall in new[] { "blank lines", "garbage", "a fake TLS record", "half a request line", "half a tracker head", "half another head" })
            {
                cases.Add(door, stall);
            }
        }

        return cases;
    }

    public async Task InitializeAsync()
    {
        _fastPath = await ListenerTrackers.StartAsync(new Dictionary<string, string?> { ["Tracker:Listener:DeferAcceptSeconds"] = "0" });
        _kestrelOnly = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" }, ipv6: false);
    }

    public async Task DisposeAsync()
    {
        await _fastPath.DisposeAsync();
        await _kestrelOnly.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheConnectionIsAnsweredOrClosedWithinTwoSeconds(string door, string stall)
    {
        var (closed, elapsed, received) = await StallAsync(Door(door), Bytes(stall));
        Assert.True(closed, $"{door}: after {stall} the connection was still open {elapsed.TotalSeconds:0.00} s later");
        Assert.InRange(elapsed, TimeSpan.Zero, Bound);
        Assert.True(received.Length == 0 || received.StartsWith("HTTP/1.1 4", StringComparison.Ordinal), $"{door}: {stall} got {received}");
    }

    [Theory]
    [InlineData("fast path")]
    [InlineData("kestrel")]
    public async Task ABlankLineBeforeAWholeRequestIsStillServed(string door)
    {
        await using var connection = await RawConnection.OpenAsync(Door(door));
        await connection.SendAsync("\r\n" + ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath.Get(AnnounceUrl(Hash(901), 1)));
        var answer = await connection.ReadResponseAsync();
        Assert.Equal(200, answer.Status);
        Assert.NotNull(answer.Bencode()["interval"]);
    }

    private Uri Door(string door) => door switch
    {
        "fast path" => _fastPath.BaseV4,
        "kestrel" => _kestrelOnly.BaseV4,
        _ => _fastPath.ListenerUri(),
    };

    private static byte[] Bytes(string stall) => stall switch
    {
        "blank lines" => "\r\n\r\n\r\n"u8.ToArray(),
        "garbage" => [0x01, 0x02, 0xFF, 0x00, (byte)'g', (byte)'a', (byte)'r'],
        "a fake TLS record" => [0x16, 0x03, (byte)'g', (byte)'a', (byte)'r'],
        "half a request line" => "GET /announce?info_hash="u8.ToArray(),
        "half a tracker head" => "GET /announce?info_hash=abc HTTP/1.1\r\nHost: tracker\r\n"u8.ToArray(),
        _ => "GET /stats HTTP/1.1\r\nHost: tracker\r\n"u8.ToArray(),
    };

    /// <summary>Connects, sends <paramref name="bytes"/>, then only reads: whether the server closed (or reset) the connection
    /// within a generous limit, how long after the send, and what it said.</summary>
    internal static async Task<(bool Closed, TimeSpan Elapsed, string Received)> StallAsync(Uri server, byte[] bytes, IPAddress? from = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(server.Host, server.Port);
        await socket.SendAsync(bytes);
        var clock = Stopwatch.StartNew();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
                if (read == 0)
                {
                    return (true, clock.Elapsed, received.ToString());
                }

                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            return (true, clock.Elapsed, received.ToString());
        }
        catch (OperationCanceledException)
        {
            return (false, clock.Elapsed, received.ToString());
        }
    }
}
