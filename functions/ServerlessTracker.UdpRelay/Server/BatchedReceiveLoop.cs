using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>A receive loop that takes and answers many datagrams per system call (Linux recvmmsg/sendmmsg).</summary>
/// <remarks>
/// <para>
/// Under load the kernel queue holds many datagrams; <c>recvmmsg</c> with MSG_WAITFORONE returns all of
/// them (up to the batch) after waiting for the first, and the answers leave in one <c>sendmmsg</c>.
/// Idle, it behaves like the plain loop (one datagram per call). Buffers are pinned and reused.
/// </para>
/// <para>
/// Slots are 2048 bytes: longer datagrams are cut, which loses nothing a request can carry (74 scrape
/// hashes end at byte 1496; URL data longer than 1024 bytes is refused anyway), and an answer to a cut
/// datagram is still never larger than what was sent.
/// </para>
/// <para>
/// Layouts (LP64 Linux): iovec {base, len} 16 bytes; mmsghdr {msghdr {name, namelen, iov, iovlen,
/// control, controllen, flags} 56 bytes, len} 64 bytes; sockaddr storage 28 bytes (sockaddr_in6).
/// </para>
/// </remarks>
internal sealed partial class BatchedReceiveLoop
{
    public const int SlotSize = 2048;
    private const int NameSize = 28;
    private const int MsgWaitForOne = 0x10000;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;

    private readonly Socket _socket;
    private readonly RequestHandler _handler;
    private readonly ReceiveLoop _faults;
    private readonly CancellationToken _stopping;
    private readonly int _batch;
    private readonly int _answerSize;
    private readonly byte[] _receive;
    private readonly byte[] _names;
    private readonly byte[] _send;
    private readonly IoVec[] _receiveVectors;
    private readonly IoVec[] _sendVectors;
    private readonly MMsgHdr[] _receiveHeaders;
    private readonly MMsgHdr[] _sendHeaders;

    public BatchedReceiveLoop(Socket socket, RequestHandler handler, ReceiveLoop faults, int batch, int answerSize, CancellationToken stopping)
    {
        _socket = socket;
        _handler = handler;
        _faults = faults;
        _batch = batch;
        _answerSize = answerSize;
        _stopping = stopping;
        _receive = GC.AllocateArray<byte>(batch * SlotSize, pinned: true);
        _names = GC.AllocateArray<byte>(batch * NameSize, pinned: true);
        _send = GC.AllocateArray<byte>(batch * answerSize, pinned: true);
        _receiveVectors = GC.AllocateArray<IoVec>(batch, pinned: true);
        _sendVectors = GC.AllocateArray<IoVec>(batch, pinned: true);
        _receiveHeaders = GC.AllocateArray<MMsgHdr>(batch, pinned: true);
        _sendHeaders = GC.AllocateArray<MMsgHdr>(batch, pinned: true);
        for (var i = 0; i < batch; i++)
        {
            _receiveVectors[i] = new IoVec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(_receive, i * SlotSize), Len = SlotSize };
            _sendVectors[i].Base = Marshal.UnsafeAddrOfPinnedArrayElement(_send, i * answerSize);
            _receiveHeaders[i].Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_receiveVectors, i);
            _receiveHeaders[i].IovLen = 1;
            _receiveHeaders[i].Name = Marshal.UnsafeAddrOfPinnedArrayElement(_names, i * NameSize);
            _sendHeaders[i].Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_sendVectors, i);
            _sendHeaders[i].IovLen = 1;
        }
    }

    /// <summary>True where recvmmsg/sendmmsg exist with the layouts above.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8
        && (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64);

    /// <summary>Makes recvmmsg give up after <paramref name="timeout"/> (SO_RCVTIMEO), so an idle loop still notices a stop.</summary>
    public static void SetReceiveTimeout(Socket socket, TimeSpan timeout)
    {
        // struct timeval { long tv_sec; long tv_usec; } on LP64. .NET's ReceiveTimeout only bounds its own calls.
        Span<byte> timeval = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval, (long)timeout.TotalSeconds);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval[8..], timeout.Microseconds + (timeout.Milliseconds * 1000L));
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the batched loop assumes a little-endian LP64 Linux");
        }

        socket.SetRawSocketOption(SolSocket, SoRcvTimeo, timeval);
    }

    public void Run()
    {
        var client = new SocketAddress(_socket.AddressFamily);
        var added = false;
        var handle = _socket.SafeHandle;
        try
        {
            // Held for the loop's life, so the descriptor cannot be closed and reused under a system call.
            handle.DangerousAddRef(ref added);
            var fd = handle.DangerousGetHandle();
            var receiveHeaders = Marshal.UnsafeAddrOfPinnedArrayElement(_receiveHeaders, 0);
            while (!_stopping.IsCancellationRequested)
            {
                for (var i = 0; i < _batch; i++)
                {
                    _receiveHeaders[i].NameLen = NameSize;
                }

                // Returns after the socket's receive timeout when idle, so a stop is noticed.
                var received = recvmmsg(fd, receiveHeaders, (uint)_batch, MsgWaitForOne, IntPtr.Zero);
                if (received <= 0)
                {
                    continue;
                }

                Send(fd, Answer(received, client));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }

            _handler.Dispose();
        }
    }

    private int Answer(int received, SocketAddress client)
    {
        var answers = 0;
        for (var i = 0; i < received; i++)
        {
            var nameLength = (int)_receiveHeaders[i].NameLen;
            if (nameLength > client.Buffer.Length)
            {
                continue;
            }

            _names.AsSpan(i * NameSize, nameLength).CopyTo(client.Buffer.Span);
            client.Size = nameLength;
            try
            {
                var length = _handler.Handle(_receive.AsSpan(i * SlotSize, (int)_receiveHeaders[i].Len), client, _stopping);
                if (length <= 0)
                {
                    continue;
                }

                _handler.Response[..length].CopyTo(_send.AsSpan(answers * _answerSize));
                _sendVectors[answers].Len = length;
                _sendHeaders[answers].Name = _receiveHeaders[i].Name;
                _sendHeaders[answers].NameLen = (uint)nameLength;
                answers++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _faults.Fault(exception);
            }
        }

        return answers;
    }

    private void Send(nint fd, int count)
    {
        var offset = 0;
        while (offset < count)
        {
            var sent = sendmmsg(fd, Marshal.UnsafeAddrOfPinnedArrayElement(_sendHeaders, offset), (uint)(count - offset), 0);

            // A failed datagram (client gone, queue full) is skipped: UDP promises nothing more.
            offset += sent > 0 ? sent : 1;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int recvmmsg(nint fd, nint messages, uint count, int flags, nint timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(nint fd, nint messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nint Len;
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct MMsgHdr
    {
        [FieldOffset(0)]
        public nint Name;
        [FieldOffset(8)]
        public uint NameLen;
        [FieldOffset(16)]
        public nint Iov;
        [FieldOffset(24)]
        public nint IovLen;
        [FieldOffset(32)]
        public nint Control;
        [FieldOffset(40)]
        public nint ControlLen;
        [FieldOffset(48)]
        public int Flags;
        [FieldOffset(56)]
        public uint Len;
    }
}
