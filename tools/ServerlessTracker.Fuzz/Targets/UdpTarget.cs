using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.Fuzz.Targets;

/// <summary>BEP 15 datagrams through the relay's real request handler (in-memory store), plus the BEP 41 option reader.</summary>
/// <remarks>
/// Input: one control byte, then the datagram. Control bit 0 set: the datagram comes from a client that connected, and its
/// first 8 bytes are replaced by that client's valid connection id, so the fuzzer reaches announce and scrape parsing
/// (it could never guess an HMAC). Clear: it comes from a stranger, and the answer must not be larger than the datagram.
/// </remarks>
internal sealed class UdpTarget
{
    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    }

    private readonly RequestHandler _handler;
    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Parse("198.51.100.20"), 6881).Serialize();
    private readonly SocketAddress _stranger = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 6881).Serialize();
    private readonly ulong _validId;
    private readonly byte[] _packet = new byte[1 << 16];
    private readonly byte[] _urlData = new byte[300];

    public UdpTarget()
    {
        var time = new FixedTime();
        var settings = new SwarmSettings();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var pool = new RequestContextPool(settings.MaxNumWant, AddressFamily.InterNetwork, 4);
        _handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(new InMemorySwarmStore(settings, time, new Random(1)), AnnouncePolicy.InMemory(time), settings, new TrackerMetrics(new Meter("fuzz"))), new ConnectionIds(new byte[32], 60, time), pool, socket, static e => throw e, CancellationToken.None);
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);
        _handler.Handle(connect, _client, CancellationToken.None);
        ConnectResponse.TryRead(_handler.Response, out _, out _validId);
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var verified = (input[0] & 1) != 0;
        var datagram = input[1..];
        datagram.CopyTo(_packet);
        var packet = _packet.AsSpan(0, datagram.Length);
        if (verified && packet.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(packet, _validId);
        }

        UrlDataOptions.Read(packet.Length > AnnounceRequest.Length ? packet[AnnounceRequest.Length..] : default, _urlData);
        var length = _handler.Handle(packet, verified ? _client : _stranger, CancellationToken.None);
        FuzzFinding.Check(length >= 0, "negative answer length");
        FuzzFinding.Check(verified || length <= packet.Length, $"amplification: {length} bytes answered to an unverified {packet.Length}-byte datagram");
    }
}
