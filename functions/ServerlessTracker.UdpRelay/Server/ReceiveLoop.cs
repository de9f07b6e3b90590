using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>One thread reading datagrams from a socket and answering them, with buffers and address reused for every packet.</summary>
/// <remarks>
/// Synchronous <c>ReceiveFrom</c>/<c>SendTo</c> into a reused <see cref="SocketAddress"/>: no allocation,
/// no thread-pool hop per packet. Several loops share one socket; the kernel hands each datagram to one.
/// The receive buffer holds the largest UDP payload, so no datagram is truncated.
/// </remarks>
internal sealed partial class ReceiveLoop(Socket socket, RequestHandler handler, ILogger logger, CancellationToken stopping)
{
    private const int MaxDatagram = 65536;
    private long _faults;

    public void Run()
    {
        var buffer = GC.AllocateArray<byte>(MaxDatagram, pinned: true);
        var client = new SocketAddress(socket.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, client);
            }
            catch (SocketException) when (!stopping.IsCancellationRequested)
            {
                // ICMP errors from earlier sends (connection reset/refused) surface here on some systems.
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                break;
            }

            try
            {
                var length = handler.Handle(buffer.AsSpan(0, received), client, stopping);
                if (length > 0)
                {
                    socket.SendTo(handler.Response[..length], SocketFlags.None, client);
                }
            }
            catch (SocketException)
            {
                // The reply could not be sent (client gone, buffer full); UDP drops it.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // A bug, not bad input (bad input is a value). Keep serving; log the first and then every 1000th.
                Fault(exception);
            }
        }

        handler.Dispose();
    }

    public void Fault(Exception exception)
    {
        var count = Interlocked.Increment(ref _faults);
        if (count == 1 || count % 1000 == 0)
        {
            LogFault(exception, count);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request handling failed ({Count} so far); the loop goes on")]
    private partial void LogFault(Exception exception, long count);
}
