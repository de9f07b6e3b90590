using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.FastPath;

namespace ServerlessTracker.Http.Listener;

/// <summary>One accept thread of the <see cref="TrackerListener"/>: accepts a connection, answers it if it can at once, and
/// hands it to <see cref="SlowConnections"/> otherwise; its buffers are reused for every connection it serves.</summary>
/// <remarks>
/// The peer address comes from accept4 as a Linux <c>sockaddr</c>:
/// <code>
/// sockaddr_in   family u16 (2) | port u16 BE | IPv4 4 bytes | zero 8 bytes
/// sockaddr_in6  family u16 (10) | port u16 BE | flowinfo u32 | IPv6 16 bytes | scope id u32
/// </code>
/// </remarks>
internal sealed class AcceptLoop : IRequestBytes
{
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>Output kept between connections; a larger answer (a full scrape) borrows a pooled array.</summary>
    private const int OutputCapacity = 4096;

    private readonly TrackerListener _listener;
    private readonly FastPathServer _core;
    private readonly ListenerPort _port;
    private readonly byte[] _input;
    private readonly byte[] _output = new byte[OutputCapacity];
    private readonly byte[] _address = new byte[32];
    private readonly byte[] _lastAddress = new byte[16];
    private IPAddress? _lastRemote;

    // Whether the last Remote() came as an IPv4-mapped address (a dual-stack socket's IPv4 client), for the counters.
    private bool _remoteMapped;
    private ResponseBuffer? _body;
    private int _headLength;

    public AcceptLoop(TrackerListener listener, ListenerPort port)
    {
        _listener = listener;
        _core = listener.Core;
        _port = port;

        // Room for the longest head the parser accepts and one byte more, so a longer one is seen as too long.
        _input = new byte[_core.Limits.MaxHeadLength + 1];
    }

    public ReadOnlySpan<byte> Head => _input.AsSpan(0, _headLength);

    public void Run()
    {
        _body = _core.Buffers.Get();
        try
        {
            while (true)
            {
                var addressLength = _address.Length;
                var fd = LibC.Accept4(_port.Fd, ref _address[0], ref addressLength, LibC.SockCloexec);
                if (fd < 0)
                {
                    if (_port.IsStopped || _listener.IsStopped)
                    {
                        return;
                    }

                    if (Marshal.GetLastPInvokeError() is LibC.EMFile or LibC.ENFile or LibC.ENoBufs or LibC.ENoMem)
                    {
                        // Out of descriptors or memory: give connections in flight time to close instead of spinning.
                        Thread.Sleep(10);
                    }

                    continue;
                }

                _listener.Counters.CountAccepted();
                try
                {
                    Serve(fd, Remote());
                }
                catch (Exception e)
                {
                    // A bug: the thread must survive it (the connection may be lost).
                    TrackerListener.LogConnectionFailed(_listener.Logger, e, "new");
                }
            }
        }
        finally
        {
            _core.Buffers.Return(_body);
        }
    }

    private void Serve(int fd, IPAddress remote)
    {
        var received = (int)LibC.Receive(fd, ref _input[0], _input.Length, LibC.MsgDontWait);
        if (received <= 0)
        {
            if (received == 0 || Marshal.GetLastPInvokeError() != LibC.EAgain)
            {
                // Closed or reset before sending anything.
                _ = LibC.Close(fd);
                return;
            }

            SlowConnections.Receive(_listener, fd, remote, [], _port.Handoff);
            return;
        }

        var bytes = _input.AsSpan(0, received);
        var status = RequestHeadParser.Parse(bytes, _core.Limits, out var head);
        if (status == HeadStatus.Incomplete)
        {
            SlowConnections.Receive(_listener, fd, remote, bytes, _port.Handoff);
            return;
        }

        if (_port.Handoff is { } handoff && (status == HeadStatus.HandOff || head.KeepAlive))
        {
            // On a port shared with Kestrel: another path, TLS, a head the fast path does not serve, or a client that keeps
            // its connection (Kestrel's fast path serves it, and its next requests, without a new connection each).
            _listener.Counters.CountHandedOff();
            handoff.Handoff(SlowConnections.Wrap(fd), bytes);
            return;
        }

        if (status == HeadStatus.HandOff)
        {
            _listener.Counters.CountRejected();
            Send(fd, remote, _output, ListenerAnswers.WriteRejection(_output, bytes, _core.Date.Current));
            return;
        }

        _headLength = head.Length;
        var reply = _listener.Dispatch(bytes, head, remote, _remoteMapped, this, _body!);
        if (!reply.IsCompletedSuccessfully)
        {
            // The store answers later: the body buffer goes with the connection, this thread takes another.
            var body = _body!;
            _body = _core.Buffers.Get();
            SlowConnections.AnswerLater(_listener, fd, reply, body);
            return;
        }

        Answer(fd, remote, reply.Result);
    }

    private void Answer(int fd, IPAddress remote, TrackerReply reply)
    {
        var body = _body!;
        if (body.IsShared)
        {
            AnswerShared(fd, remote, reply, body);
            return;
        }

        var needed = ResponseHead.MaxLength + body.WrittenCount;
        var output = needed <= _output.Length ? _output : ArrayPool<byte>.Shared.Rent(needed);
        var length = ListenerAnswers.WriteAnswer(output, reply, body.WrittenSpan, _core.Date.Current);
        body.Reset();
        _listener.Counters.CountServed();
        Send(fd, remote, output, length);
        if (output != _output)
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>A shared body (a full scrape) is sent from the snapshot itself, after the head: no copy. What the socket does
    /// not take at once continues on the asynchronous path, which takes the body (and its slot) along.</summary>
    private void AnswerShared(int fd, IPAddress remote, TrackerReply reply, ResponseBuffer body)
    {
        var bytes = body.Body.Span;
        var length = ResponseHead.Write(_output, bytes.Length, ConnectionMode.Close, reply, _core.Date.Current);
        _listener.Counters.CountServed();
        var head = (int)LibC.Send(fd, ref _output[0], length, LibC.MsgDontWait | LibC.MsgNoSignal | LibC.MsgMore);
        var sent = head == length ? (int)LibC.Send(fd, ref MemoryMarshal.GetReference(bytes), bytes.Length, LibC.MsgDontWait | LibC.MsgNoSignal) : 0;
        if (head == length && sent == bytes.Length)
        {
            _ = LibC.Close(fd);
            body.Reset();
            return;
        }

        if ((head < 0 || (head == length && sent < 0)) && Marshal.GetLastPInvokeError() != LibC.EAgain)
        {
            // The client is gone.
            _ = LibC.Close(fd);
            body.Reset();
            return;
        }

        // The rest goes out later: this thread takes another buffer.
        _body = _core.Buffers.Get();
        SlowConnections.SendSharedRest(_listener, fd, remote, _output.AsSpan(Math.Max(head, 0), length - Math.Max(head, 0)), body, Math.Max(sent, 0));
    }

    private void Send(int fd, IPAddress remote, byte[] output, int length)
    {
        var sent = (int)LibC.Send(fd, ref output[0], length, LibC.MsgDontWait | LibC.MsgNoSignal);
        if (sent == length)
        {
            _ = LibC.Close(fd);
            return;
        }

        if (sent < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.EAgain)
            {
                // The client is gone.
                _ = LibC.Close(fd);
                return;
            }

            sent = 0;
        }

        SlowConnections.SendRest(_listener, fd, remote, output.AsSpan(sent, length - sent));
    }

    /// <summary>The peer's address; the same client connecting again (a benchmark, a NAT) reuses the last instance.</summary>
    private IPAddress Remote()
    {
        _remoteMapped = false;
        var family = BinaryPrimitives.ReadUInt16LittleEndian(_address);
        ReadOnlySpan<byte> bytes;
        if (family == AfInet)
        {
            bytes = _address.AsSpan(4, 4);
        }
        else if (family == AfInet6)
        {
            bytes = _address.AsSpan(8, 16);
            _remoteMapped = bytes.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]);
            if (_remoteMapped)
            {
                // A dual-stack socket's IPv4 client: the rules see it as IPv4 (and the counters as ipv4_mapped).
                bytes = bytes[12..];
            }
        }
        else
        {
            return IPAddress.IPv6None;
        }

        var last = _lastRemote;
        if (last is not null && bytes.Length == (last.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16) && bytes.SequenceEqual(_lastAddress.AsSpan(0, bytes.Length)))
        {
            return last;
        }

        var remote = new IPAddress(bytes);
        bytes.CopyTo(_lastAddress);
        _lastRemote = remote;
        return remote;
    }
}
