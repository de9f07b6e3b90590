using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests.Properties;

/// <summary>The relay's request handler under arbitrary datagrams: no unverified address ever gets more bytes than it sent.</summary>
public sealed class WhenFuzzingTheRelay : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly RequestContextPool _pool = new(200, AddressFamily.InterNetwork, 4);
    private readonly System.Diagnostics.Metrics.Meter _meter = new("fuzzing-the-relay");
    private readonly RequestHandler _handler;
    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Parse("198.51.100.20"), 6881).Serialize();
    private readonly ulong _validId;

    public WhenFuzzingTheRelay()
    {
        var settings = new SwarmSettings();
        var budgets = WhenSendersExceedTheirBudget.Budgets(1_000_000, 1_000_000, _time);
        _handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(new InMemorySwarmStore(settings, _time, new Random(3)), Engine.Policy.AnnouncePolicy.InMemory(_time), settings, new Engine.Diagnostics.TrackerMetrics(_meter)), new ConnectionIds(new byte[32], 60, _time), _pool, _socket, _ => { }, CancellationToken.None, budgets);
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);
        _handler.Handle(connect, _client, CancellationToken.None);
        ConnectResponse.TryRead(_handler.Response, out _, out _validId);
    }

    public void Dispose()
    {
        _handler.Dispose();
        _socket.Dispose();
        _pool.Dispose();
        _meter.Dispose();
    }

    private static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    /// <summary>Random bytes, and datagrams with a header of any action and a forged or the magic connection id.</summary>
    private static Gen<byte[]> Unverified() => Gen.OneOf(
        Bytes(0, 200),
        from action in Gen.Choose(0, 5)
        from magic in Gen.Elements(true, false)
        from id in Gen.Choose(int.MinValue, int.MaxValue)
        from tail in Bytes(0, 300)
        select Packet(action, magic ? UdpRequestHeader.ProtocolId : (ulong)(uint)id, tail));

    private static byte[] Packet(int action, ulong connectionId, byte[] tail)
    {
        var packet = new byte[UdpRequestHeader.Length + tail.Length];
        UdpRequestHeader.Write(packet, connectionId, (UdpAction)action, 9);
        tail.CopyTo(packet, UdpRequestHeader.Length);
        return packet;
    }

    [Property(MaxTest = 5000)]
    public Property NoAnswerToAnUnverifiedAddressIsLargerThanItsRequest() =>
        Prop.ForAll(Unverified().ToArbitrary(), Gen.Choose(1, 250).ToArbitrary(), (packet, host) =>
        {
            // A stranger: an address that never connected (and so holds no valid id).
            var stranger = new IPEndPoint(new IPAddress([203, 0, 113, (byte)host]), 40000).Serialize();
            var length = _handler.Handle(packet, stranger, CancellationToken.None);
            return length <= packet.Length;
        });

    [Property(MaxTest = 3000)]
    public Property AVerifiedClientGetsAWellFormedAnswerToAnything() =>
        Prop.ForAll(Gen.Choose(1, 3).ToArbitrary(), Bytes(0, 300).ToArbitrary(), (action, tail) =>
        {
            var packet = Packet(action, _validId, tail);
            var length = _handler.Handle(packet, _client, CancellationToken.None);
            var answer = _handler.Response[..length];
            return length == 0
                || AnnounceResponse.TryRead(answer, out _, out _, out _, out _, out _)
                || ScrapeResponse.TryRead(answer, out _, out _)
                || ErrorResponse.TryRead(answer, out _, out _)
                || ConnectResponse.TryRead(answer, out _, out _);
        });
}
