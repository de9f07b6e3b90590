using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>A plain BEP 15 client over a real socket, built from the protocol codecs, for socket tests.</summary>
public sealed class UdpTrackerClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly Socket _socket;
    private readonly IPEndPoint _tracker;
    private uint _transaction = 1000;

    public UdpTrackerClient(IPEndPoint tracker, IPAddress? local = null)
    {
        _tracker = tracker;
        _socket = new Socket(tracker.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(local ?? (tracker.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback), 0));
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Sends a datagram and returns the answer, or null when none comes within <paramref name="wait"/>.</summary>
    public async Task<byte[]?> ExchangeAsync(byte[] packet, TimeSpan? wait = null)
    {
        await _socket.SendToAsync(packet, SocketFlags.None, _tracker);
        return await ReceiveAsync(wait ?? Timeout);
    }

    /// <summary>Sends from this client's socket to another tracker and returns its answer.</summary>
    public async Task<byte[]?> ExchangeWithAsync(IPEndPoint other, byte[] packet)
    {
        await _socket.SendToAsync(packet, SocketFlags.None, other);
        return await ReceiveAsync(Timeout);
    }

    public async Task SendAsync(byte[] packet) => await _socket.SendToAsync(packet, SocketFlags.None, _tracker);

    public async Task<byte[]?> ReceiveAsync(TimeSpan wait)
    {
        var buffer = new byte[65536];
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(_tracker.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), cancel.Token);
            return buffer[..received.ReceivedBytes];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<ulong> ConnectAsync()
    {
        var transaction = ++_transaction;
        var packet = new byte[16];
        ConnectRequest.Write(packet, transaction);
        var answer = await ExchangeAsync(packet) ?? throw new TimeoutException("no answer to connect");
        Assert.True(ConnectResponse.TryRead(answer, out var echoed, out var connectionId), "not a connect answer");
        Assert.Equal(transaction, echoed);
        Assert.Equal(16, answer.Length);
        return connectionId;
    }

    public static byte[] AnnouncePacket(ulong connectionId, uint transaction, byte[] infoHash, byte[] peerId, ushort port, long left, AnnounceEvent announceEvent = AnnounceEvent.None, int numWant = -1)
    {
        var request = new AnnounceRequest
        {
            ConnectionId = connectionId,
            TransactionId = transaction,
            Left = left,
            Event = announceEvent,
            Key = 0x1234,
            NumWant = numWant,
            Port = port,
        };
        infoHash.CopyTo(request.InfoHash);
        peerId.CopyTo(request.PeerId);
        var packet = new byte[AnnounceRequest.Length];
        request.Write(packet);
        return packet;
    }

    public async Task<Announced> AnnounceAsync(ulong connectionId, byte[] infoHash, byte[] peerId, ushort port, long left, AnnounceEvent announceEvent = AnnounceEvent.None, int numWant = -1)
    {
        var transaction = ++_transaction;
        var answer = await ExchangeAsync(AnnouncePacket(connectionId, transaction, infoHash, peerId, port, left, announceEvent, numWant))
            ?? throw new TimeoutException("no answer to announce");
        if (ErrorResponse.TryRead(answer, out _, out var message))
        {
            throw new InvalidOperationException("tracker error: " + System.Text.Encoding.ASCII.GetString(message));
        }

        Assert.True(AnnounceResponse.TryRead(answer, out var echoed, out var interval, out var leechers, out var seeders, out var peers), "not an announce answer");
        Assert.Equal(transaction, echoed);
        return new Announced(interval, leechers, seeders, peers.ToArray());
    }

    public async Task<(int Seeders, int Completed, int Leechers)[]> ScrapeAsync(ulong connectionId, params byte[][] infoHashes)
    {
        var transaction = ++_transaction;
        var packet = new byte[16 + (20 * infoHashes.Length)];
        ScrapeRequestParser.Write(packet, connectionId, transaction, infoHashes.SelectMany(h => h).ToArray());
        var answer = await ExchangeAsync(packet) ?? throw new TimeoutException("no answer to scrape");
        Assert.True(ScrapeResponse.TryRead(answer, out var echoed, out var entries), "not a scrape answer");
        Assert.Equal(transaction, echoed);
        return Enumerable.Range(0, entries.Length / 12).Select(i => ScrapeResponse.ReadEntry(answer.AsSpan(8), i)).ToArray();
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>An announce answer: interval, counts and the compact peers as sent.</summary>
public sealed record Announced(int Interval, int Leechers, int Seeders, byte[] Peers)
{
    public IReadOnlyList<IPEndPoint> PeerEndPoints(int entryLength) =>
        Enumerable.Range(0, Peers.Length / entryLength)
            .Select(i => new IPEndPoint(new IPAddress(Peers.AsSpan(i * entryLength, entryLength - 2)), (Peers[(i * entryLength) + entryLength - 2] << 8) | Peers[(i * entryLength) + entryLength - 1]))
            .ToArray();
}

/// <summary>Random hashes and ids for tests, from a seeded generator.</summary>
public static class TestBytes
{
    private static readonly Random Random = new(4242);
    private static readonly Lock Gate = new();

    public static byte[] Twenty()
    {
        var bytes = new byte[20];
        lock (Gate)
        {
            Random.NextBytes(bytes);
        }

        return bytes;
    }
}
