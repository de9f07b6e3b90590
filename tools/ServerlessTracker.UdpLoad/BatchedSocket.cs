using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ServerlessTracker.UdpLoad;

/// <summary>sendmmsg/recvmmsg on a connected UDP socket (Linux x86-64/arm64): many datagrams per system call.</summary>
/// <remarks>
/// The load generator has one core, like the tracker; batching its system calls keeps it cheaper per
/// datagram than the tracker it measures, so the tracker, not the generator, is what saturates.
/// Layouts (LP64): iovec {base, len}; msghdr {name, namelen, iov, iovlen, control, controllen, flags}
/// = 56 bytes; mmsghdr {msghdr, len} = 64 bytes.
/// </remarks>
internal sealed class BatchedSocket
{
    private const int MsgWaitForOne = 0x10000;

    private readonly Socket _socket;
    private readonly int _slot;
    private readonly byte[] _buffers;
    private readonly IoVec[] _vectors;
    private readonly MMsgHdr[] _headers;

    public BatchedSocket(Socket socket, int count, int slotSize)
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            throw new PlatformNotSupportedException("the batched load generator needs 64-bit Linux");
        }

        _socket = socket;
        _slot = slotSize;
        _buffers = GC.AllocateArray<byte>(count * slotSize, pinned: true);
        _vectors = GC.AllocateArray<IoVec>(count, pinned: true);
        _headers = GC.AllocateArray<MMsgHdr>(count, pinned: true);
        for (var i = 0; i < count; i++)
        {
            _vectors[i].Base = Marshal.UnsafeAddrOfPinnedArrayElement(_buffers, i * slotSize);
            _headers[i].Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_vectors, i);
            _headers[i].IovLen = 1;
        }
    }

    public Span<byte> Slot(int index) => _buffers.AsSpan(index * _slot, _slot);

    public int Length(int index) => (int)_headers[index].Len;

    /// <summary>Sends slots 0..count-1, each with its given length; returns how many were sent.</summary>
    public int Send(int count, int length)
    {
        for (var i = 0; i < count; i++)
        {
            _vectors[i].Len = length;
        }

        var sent = sendmmsg(_socket.Handle, Marshal.UnsafeAddrOfPinnedArrayElement(_headers, 0), (uint)count, 0);
        return sent < 0 ? 0 : sent;
    }

    /// <summary>Waits for at least one datagram (up to the socket's receive timeout) and takes all that are queued, up to the slots; 0 on timeout.</summary>
    public int Receive(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _vectors[i].Len = _slot;
            _headers[i].Len = 0;
        }

        var received = recvmmsg(_socket.Handle, Marshal.UnsafeAddrOfPinnedArrayElement(_headers, 0), (uint)count, MsgWaitForOne, IntPtr.Zero);
        return received < 0 ? 0 : received;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(nint fd, nint messages, uint count, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int recvmmsg(nint fd, nint messages, uint count, int flags, nint timeout);

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
