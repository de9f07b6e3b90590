using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Messaging;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Sync.Wire;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Limits;

/// <summary>Kestrel's limits as KestrelTuning sets them: oversized requests are refused before any tracker code runs.</summary>
public sealed class WhenRequestsExceedServerLimits : IAsyncLifetime
{
    private const string Key = TwoRegions.Key;
    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() => _tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Sync:ReceiverKey"] = Key }, ipv6: false);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    [Fact]
    public async Task AnOverlongRequestLineIsRefusedWith414()
    {
        var (status, _) = await RawHttp.SendAsync(_tracker.BaseV4, "GET", "/announce?x=" + new string('a', 18 * 1024));
        Assert.Equal(414, status);
    }

    [Fact]
    public async Task TooManyOrTooLargeHeadersAreRefusedWith431()
    {
        Assert.Equal(431, await SendHeadersAsync(Enumerable.Range(0, 70).Select(i => $"X-H{i}: v")));
        Assert.Equal(431, await SendHeadersAsync([$"X-Big: {new string('b', 33 * 1024)}"]));
        Assert.Equal(200, await SendHeadersAsync(Enumerable.Range(0, 30).Select(i => $"X-H{i}: {new string('v', 500)}")));
    }

    [Fact]
    public async Task ABodyOnAnAnnounceIsCappedButASyncDeliveryMayBeLarger()
    {
        Assert.Equal(200, await PostAsync(AnnounceUrl(Hash(720), 1), "application/octet-stream", 200 * 1024));

        // 700 peer changes: about 80 KB of CloudEvent JSON, over the 64 KiB default, within the webhook's 2 MiB.
        var updates = Enumerable.Range(0, 700).Select(i => new PeerUpdate(InfoHash.FromBytes(Hash(721)), Engine.Peers.PeerId.FromBytes(Announces.PeerId(i)),
            PeerAddress.FromIPAddress(IPAddress.Parse("203.0.113.9")), (ushort)(7000 + i), ReplicatedPeerState.Leecher, false,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, 0)).ToArray();
        var cloudEvent = new CloudEvent("/regions/west", "dev.serverlesstracker.peers.v1", BinaryData.FromBytes(PeerUpdateBatchCodec.Encode(updates)), "application/octet-stream");
        var json = System.Text.Json.JsonSerializer.Serialize(cloudEvent);
        Assert.True(json.Length > 64 * 1024);
        using var delivery = await _tracker.Client.SendAsync(TwoRegions.Delivery(json, "application/cloudevents+json"));
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);

        Assert.Equal(400, await PostAsync("/sync/events", "application/cloudevents+json", 3 * 1024 * 1024, Key));
    }

    [Fact]
    public async Task AnOperatorsKestrelSettingWinsOverOurs()
    {
        await using var tracker = await RunningTracker.StartAsync(
            ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath.KestrelOnly(new() { ["Kestrel:Limits:MaxRequestHeaderCount"] = "5" }), ipv6: false);
        Assert.Equal(431, await SendHeadersAsync(Enumerable.Range(0, 8).Select(i => $"X-H{i}: v"), tracker));

        // The connection fast path reads the same limits: an announce with too many headers is handed to Kestrel, which refuses it.
        Assert.Equal(431, await SendHeadersAsync(Enumerable.Range(0, 8).Select(i => $"X-H{i}: v"), tracker, AnnounceUrl(Hash(722), 1)));
        Assert.Equal(200, await SendHeadersAsync(["X-H: v"], tracker, AnnounceUrl(Hash(722), 1)));
        var counters = tracker.Service<ServerlessTracker.Http.FastPath.FastPathCounters>();
        Assert.Equal((1L, 2L), (counters.Served, counters.HandedOff));
    }

    [Fact]
    public async Task ConnectionsBeyondMaxConcurrentConnectionsAreClosedBeforeAnyTrackerCodeRuns()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Kestrel:Limits:MaxConcurrentConnections"] = "1" }, ipv6: false);
        var announce = $"GET {AnnounceUrl(Hash(723), 1)} HTTP/1.1\r\nHost: tracker\r\n\r\n";
        await using var first = await RawConnection.OpenAsync(tracker.BaseV4);
        await first.SendAsync(announce);
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);

        // The first connection, kept alive on the fast path, holds the only slot: Kestrel closes the second unanswered.
        await using var second = await RawConnection.OpenAsync(tracker.BaseV4);
        await second.SendAsync(announce);
        Assert.True(await second.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, tracker.Service<ServerlessTracker.Http.FastPath.FastPathCounters>().Served);
    }

    /// <summary>POSTs a body of spaces over a raw socket and returns the answer's status.</summary>
    /// <remarks>Kestrel answers and then resets a connection whose body is over the cap while the client may still be
    /// sending it (an HttpClient then fails with a broken pipe): the body is written on the side, errors ignored.</remarks>
    private async Task<int> PostAsync(string target, string contentType, int bodyLength, string? receiverKey = null)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(_tracker.BaseV4.Host, _tracker.BaseV4.Port);
        var stream = socket.GetStream();
        var key = receiverKey is null ? "" : $"aeg-sas-key: {receiverKey}\r\n";
        var head = $"POST {target} HTTP/1.1\r\nHost: tracker\r\nContent-Type: {contentType}\r\n{key}Content-Length: {bodyLength}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var writing = Task.Run(async () =>
        {
            var chunk = new byte[16 * 1024];
            Array.Fill(chunk, (byte)' ');
            try
            {
                for (var sent = 0; sent < bodyLength; sent += chunk.Length)
                {
                    await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, bodyLength - sent)));
                }
            }
            catch (IOException)
            {
                // The server has answered and closed: the cap at work.
            }
        });

        var answer = new byte[12];
        var read = 0;
        while (read < answer.Length)
        {
            var n = await stream.ReadAsync(answer.AsMemory(read));
            Assert.True(n > 0, $"the connection closed after {read} bytes of the answer");
            read += n;
        }

        socket.Client.Shutdown(SocketShutdown.Both);
        await writing;
        return int.Parse(Encoding.ASCII.GetString(answer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> SendHeadersAsync(IEnumerable<string> headers, RunningTracker? tracker = null, string target = "/")
    {
        var server = (tracker ?? _tracker).BaseV4;
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host, server.Port);
        var stream = socket.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        var head = Encoding.ASCII.GetString(received.ToArray());
        return int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
