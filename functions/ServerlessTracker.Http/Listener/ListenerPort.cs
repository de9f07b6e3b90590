using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Http.Listener;

/// <summary>One listening socket of the tracker listener and its accept threads: its own port (<c>Tracker:Listener:Port</c>),
/// or one of the server's ports, shared with Kestrel through <see cref="Handoff"/>.</summary>
internal sealed class ListenerPort : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread[] _threads;
    private volatile bool _stopped;

    private ListenerPort(Socket socket, HandoffListener? handoff, int threads)
    {
        _socket = socket;
        Fd = (int)socket.Handle;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        Handoff = handoff;
        _threads = new Thread[threads];
    }

    public int Fd { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Where connections the listener does not answer go (Kestrel); null on the listener's own port, where they get 404/400.</summary>
    public HandoffListener? Handoff { get; private set; }

    public bool IsStopped => _stopped;

    public int Threads => _threads.Length;

    /// <summary>Binds <paramref name="endpoint"/> (port 0: any free port) with TCP_DEFER_ACCEPT when asked.</summary>
    public static Socket Bind(IPEndPoint endpoint, int deferAcceptSeconds)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (deferAcceptSeconds > 0)
            {
                socket.SetRawSocketOption(LibC.IpProtoTcp, LibC.TcpDeferAccept, BitConverter.GetBytes(deferAcceptSeconds));
            }

            socket.Bind(endpoint);
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="threads"/> accept threads on a bound socket.</summary>
    public static ListenerPort Start(TrackerListener listener, Socket socket, int threads, Func<ListenerPort, HandoffListener?>? handoff = null)
    {
        var port = new ListenerPort(socket, null, threads);
        port.Handoff = handoff?.Invoke(port);
        for (var i = 0; i < threads; i++)
        {
            port._threads[i] = new Thread(new AcceptLoop(listener, port).Run) { IsBackground = true, Name = $"tracker listener {port.EndPoint} {i}" };
            port._threads[i].Start();
        }

        return port;
    }

    /// <summary>Stops accepting: wakes every thread blocked in accept4 (it returns EINVAL from now on) and waits for them.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _ = LibC.Shutdown(Fd, LibC.ShutRdWr);
        foreach (var thread in _threads)
        {
            thread?.Join();
        }
    }

    public void Dispose()
    {
        Stop();
        _socket.Dispose();
    }
}
