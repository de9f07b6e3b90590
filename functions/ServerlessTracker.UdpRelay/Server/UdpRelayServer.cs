using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.UdpRelay.Hosting;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>Binds one UDP socket per configured address and runs the receive loops on them.</summary>
public sealed partial class UdpRelayServer(
    TrackerCore core,
    IOptions<RelayOptions> options,
    IOptions<RelayRateLimitOptions> rateLimit,
    ConnectionIdKey key,
    TimeProvider time,
    ILogger<UdpRelayServer> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan StopCheckInterval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private readonly List<RequestContextPool> _pools = [];
    private readonly List<IPEndPoint> _endPoints = [];
    private int _stopped;

    /// <summary>The addresses and ports actually bound (useful when <c>Relay:Port</c> is 0).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _endPoints;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var relay = options.Value;
        var settings = core.Announces.Settings;
        if (key.Generated)
        {
            LogGeneratedKey();
        }

        var limits = rateLimit.Value;
        var budgets = limits.Enabled ? new AddressBudgets(limits.Budgets, time) : null;
        foreach (var address in relay.ParseAddresses())
        {
            var socket = TryBind(address, relay.Port);
            if (socket is null)
            {
                continue;
            }

            _sockets.Add(socket);
            var endPoint = (IPEndPoint)socket.LocalEndPoint!;
            _endPoints.Add(endPoint);
            var loops = relay.EffectiveReceiveLoops;
            var pool = new RequestContextPool(settings.MaxNumWant, socket.AddressFamily, relay.MaxPendingRequests + loops);
            _pools.Add(pool);
            var batched = relay.BatchSize > 1 && BatchedReceiveLoop.IsSupported;
            if (batched)
            {
                BatchedReceiveLoop.SetReceiveTimeout(socket, StopCheckInterval);
            }

            var answerSize = Math.Max(AnnounceResponse.LengthOf(settings.MaxNumWant * 18), ScrapeResponse.LengthOf(ScrapeRequestParser.MaxInfoHashes));
            for (var i = 0; i < loops; i++)
            {
                var ids = new ConnectionIds(key.Bytes, relay.ConnectionIdGraceSeconds, time);
                ReceiveLoop? loop = null;
                var handler = new RequestHandler(core, ids, pool, socket, exception => loop!.Fault(exception), _stopping.Token, budgets);
                loop = new ReceiveLoop(socket, handler, logger, _stopping.Token);
                ThreadStart run = batched ? new BatchedReceiveLoop(socket, handler, loop, relay.BatchSize, answerSize, _stopping.Token).Run : loop.Run;
                var thread = new Thread(run) { IsBackground = true, Name = $"udp {endPoint} #{i}" };
                _threads.Add(thread);
                thread.Start();
            }

            LogListening(endPoint, loops, batched ? relay.BatchSize : 1);
        }

        if (_sockets.Count == 0)
        {
            throw new InvalidOperationException($"The UDP relay could not bind any of '{relay.Addresses}' on port {relay.Port}.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        StopLoops();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The host disposes without stopping when another service's start failed or was cancelled: the loops must still
        // leave first, or closing a socket waits forever on the receive call that holds it.
        StopLoops();
        _stopping.Dispose();
        foreach (var pool in _pools)
        {
            pool.Dispose();
        }
    }

    private void StopLoops()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        // Loops wake at least every receive timeout, see the stop, and leave; only then are sockets closed,
        // so no system call ever runs on a descriptor that was closed (and perhaps reused).
        _stopping.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private Socket? TryBind(IPAddress address, int port)
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.ReceiveBufferSize = 4 << 20;
            socket.ReceiveTimeout = (int)StopCheckInterval.TotalMilliseconds;
            socket.SendBufferSize = 4 << 20;
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable or SocketError.ProtocolNotSupported)
        {
            // A container without IPv6 (or without that address) still serves the others.
            socket?.Dispose();
            LogCannotBind(address, port, exception.SocketErrorCode);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "UDP relay listening on {EndPoint} with {Loops} receive loops, {Batch} datagrams per call")]
    private partial void LogListening(IPEndPoint endPoint, int loops, int batch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot bind {Address} port {Port} ({Error}); serving the other addresses")]
    private partial void LogCannotBind(IPAddress address, int port, SocketError error);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Relay:ConnectionIdKey configured: generated a random key, so this instance accepts only its own connection ids")]
    private partial void LogGeneratedKey();
}
