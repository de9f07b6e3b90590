using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpLoad;

/// <summary>One socket keeping a window of announces in flight: every batch of answers sends as many new requests.</summary>
internal sealed class Worker(LoadOptions options, byte[][] hashes, int index)
{
    public static volatile bool Measuring;
    public static volatile bool Stopping;

    private readonly Random _random = new(options.Seed + index);
    private readonly byte[] _template = new byte[AnnounceRequest.Length];
    private uint _transaction;

    public long Announced { get; private set; }

    public long Errors { get; private set; }

    public long Timeouts { get; private set; }

    public string? FirstError { get; private set; }

    public void Run()
    {
        using var socket = new Socket(options.Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(options.Target);
        socket.ReceiveTimeout = 200;
        socket.ReceiveBufferSize = 4 << 20;
        socket.SendBufferSize = 4 << 20;
        var template = new AnnounceRequest { ConnectionId = Connect(socket), NumWant = options.NumWant, Key = (uint)index };
        template.Write(_template);

        var window = options.Window;
        var outgoing = new BatchedSocket(socket, window, AnnounceRequest.Length);
        var incoming = new BatchedSocket(socket, window, 2048);
        Send(outgoing, window);
        while (!Stopping)
        {
            var received = incoming.Receive(window);
            if (received == 0)
            {
                // Lost datagrams (queues full) or a stall: refill the window.
                Timeouts++;
                Send(outgoing, window);
                continue;
            }

            if (Measuring)
            {
                Count(incoming, received);
            }

            Send(outgoing, received);
        }
    }

    private void Count(BatchedSocket incoming, int received)
    {
        for (var i = 0; i < received; i++)
        {
            var answer = incoming.Slot(i)[..incoming.Length(i)];
            if (answer.Length >= 8 && (UdpAction)BinaryPrimitives.ReadUInt32BigEndian(answer) == UdpAction.Announce)
            {
                Announced++;
                continue;
            }

            Errors++;
            if (FirstError is null && ErrorResponse.TryRead(answer, out _, out var message))
            {
                FirstError = Encoding.ASCII.GetString(message);
            }
        }
    }

    private void Send(BatchedSocket outgoing, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var peer = _random.Next(options.Peers);
            var request = outgoing.Slot(i);
            _template.CopyTo(request);
            BinaryPrimitives.WriteUInt32BigEndian(request[12..], ++_transaction);
            hashes[peer % hashes.Length].CopyTo(request[16..]);
            Workload.WritePeerId(request[36..], peer);
            Workload.WriteCounters(request, Workload.Left(peer));
            BinaryPrimitives.WriteUInt16BigEndian(request[96..], Workload.Port(peer));
        }

        outgoing.Send(count, AnnounceRequest.Length);
    }

    private static ulong Connect(Socket socket)
    {
        var packet = new byte[16];
        var answer = new byte[2048];
        for (var attempt = 0; attempt < 25; attempt++)
        {
            ConnectRequest.Write(packet, (uint)attempt);
            try
            {
                socket.Send(packet);
                var received = socket.Receive(answer);
                if (ConnectResponse.TryRead(answer.AsSpan(0, received), out _, out var connectionId))
                {
                    return connectionId;
                }
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new InvalidOperationException("the tracker never answered connect");
    }
}
