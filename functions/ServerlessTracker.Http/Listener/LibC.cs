using System.Runtime.InteropServices;

namespace ServerlessTracker.Http.Listener;

/// <summary>The few Linux socket calls the listener makes itself (x64 and arm64 share these constants).</summary>
/// <remarks>Buffers are passed as <c>ref byte</c>: pinned for the call only, no unsafe code.</remarks>
internal static class LibC
{
    public const int SockCloexec = 0x80000;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int MsgMore = 0x8000;
    public const int ShutRdWr = 2;
    public const int IpProtoTcp = 6;
    public const int TcpDeferAccept = 9;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int ENoMem = 12;
    public const int ENFile = 23;
    public const int EMFile = 24;
    public const int ENoBufs = 105;

    [DllImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static extern int Accept4(int socket, ref byte address, ref int addressLength, int flags);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static extern nint Receive(int socket, ref byte buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    public static extern nint Send(int socket, ref byte buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "close")]
    public static extern int Close(int socket);

    [DllImport("libc", EntryPoint = "shutdown")]
    public static extern int Shutdown(int socket, int how);
}
