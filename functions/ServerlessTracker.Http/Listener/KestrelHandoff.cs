using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace ServerlessTracker.Http.Listener;

/// <summary>Kestrel's transport when the tracker listener owns the server's ports (<see cref="TrackerListenerOptions.OnServerPorts"/>):
/// for each IP endpoint Kestrel is told to listen on, the listener binds it and accepts every connection; the ones it does
/// not answer itself (kept-alive clients, other paths, TLS, heads it cannot serve) reach Kestrel through this listener, with
/// the bytes already read in front of the socket's.</summary>
/// <remarks>Other endpoints (Unix sockets, named pipes) go to Kestrel's own socket transport.</remarks>
public sealed class KestrelHandoff(TrackerListener listener, IOptions<SocketTransportOptions> sockets, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly SocketTransportFactory _fallback = new(sockets, loggers);
    private readonly SocketConnectionContextFactory _contexts = new(
        new SocketConnectionFactoryOptions
        {
            IOQueueCount = sockets.Value.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = sockets.Value.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = sockets.Value.MaxReadBufferSize,
            MaxWriteBufferSize = sockets.Value.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = sockets.Value.UnsafePreferInlineScheduling,
        },
        loggers.CreateLogger<KestrelHandoff>());

    public bool CanBind(EndPoint endpoint) => true;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is IPEndPoint ip
            ? new(listener.BindServerPort(ip, this))
            : _fallback.BindAsync(endpoint, cancellationToken);

    /// <summary>A connection for Kestrel from a socket the listener accepted and read <paramref name="read"/> from.</summary>
    internal ConnectionContext Wrap(Socket socket, ReadOnlySpan<byte> read)
    {
        var context = _contexts.Create(socket);
        return read.IsEmpty ? context : new PrefixedConnection(context, read.ToArray());
    }

    public void Dispose() => _contexts.Dispose();
}

/// <summary>One server port as Kestrel sees it: the connections the listener hands over, in the order it accepted them.</summary>
internal sealed class HandoffListener(EndPoint endpoint, KestrelHandoff handoff, Func<ValueTask> unbind) : IConnectionListener
{
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    public EndPoint EndPoint { get; } = endpoint;

    /// <summary>Gives Kestrel a connection the listener accepted (<paramref name="read"/>: what it read of it already).</summary>
    public void Handoff(Socket socket, ReadOnlySpan<byte> read)
    {
        var connection = handoff.Wrap(socket, read);
        if (!_accepted.Writer.TryWrite(connection))
        {
            // Kestrel stopped listening meanwhile: nobody will take it.
            connection.Abort();
        }
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _accepted.Writer.TryComplete();
        await unbind().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _accepted.Writer.TryComplete();
        await unbind().ConfigureAwait(false);
        while (_accepted.Reader.TryRead(out var left))
        {
            await left.DisposeAsync().ConfigureAwait(false);
        }
    }
}
