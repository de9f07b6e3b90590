using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Limits;

namespace ServerlessTracker.Http.Listener;

/// <summary>The tracker's own HTTP/1.x listener for clients that open a new connection per announce: dedicated threads
/// accept and answer each connection with direct libc calls, and only connections that cannot be answered at once go async.</summary>
/// <remarks>
/// Per connection, on an accept thread: <c>accept4</c> (blocking), one <c>recv</c> with MSG_DONTWAIT (TCP_DEFER_ACCEPT on the
/// listening socket makes the request usually present already), the fast path's parser, rate limit and core, one <c>send</c>
/// with MSG_DONTWAIT|MSG_NOSIGNAL, <c>close</c>. That skips .NET's socket engine (epoll registration, thread-pool hops, a
/// SocketAsyncContext per connection), which is what a connection costs Kestrel. A head in pieces, an answer the client does
/// not take at once and a store that does not answer at once (Table Storage) continue on a .NET socket with async calls
/// (<see cref="SlowConnections"/>), so an accept thread never waits on a client. One request per connection: answers say
/// <c>Connection: close</c>. Anything but a tracker request gets a bodiless 404 or 400.
/// </remarks>
public sealed partial class TrackerListener : IHostedService, IDisposable
{
    private static readonly Func<object, StringValues> ReadAcceptEncoding =
        static state => HeaderValues.Find(((IRequestBytes)state).Head, "Accept-Encoding"u8);

    private readonly TrackerListenerOptions _options;
    private readonly FunctionsHost _host;
    private readonly ILogger<TrackerListener> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<UInt128, int> _slowByAddress = new();
    private readonly List<ListenerPort> _ports = [];
    private int _slow;
    private volatile bool _stopped;

    public TrackerListener(IOptions<TrackerListenerOptions> options, FastPathServer core, ListenerCounters counters, FunctionsHost host, ILogger<TrackerListener> logger)
    {
        _options = options.Value;
        _host = host;
        _logger = logger;
        Core = core;
        Counters = counters;
        HeadTimeout = TimeSpan.FromSeconds(_options.HeadTimeoutSeconds);
        AnswerTimeout = TimeSpan.FromSeconds(_options.AnswerTimeoutSeconds);
    }

    /// <summary>The port the listener is bound to; 0 when it is off.</summary>
    public int Port { get; private set; }

    /// <summary>The fast path's parser limits, rate limiter, core services and response buffers.</summary>
    internal FastPathServer Core { get; }

    internal ListenerCounters Counters { get; }

    /// <summary>A connection's time for its whole head, from accept.</summary>
    internal TimeSpan HeadTimeout { get; }

    /// <summary>A connection's time to take its answer.</summary>
    internal TimeSpan AnswerTimeout { get; }

    internal CancellationToken Stopping => _stopping.Token;

    internal bool IsStopped => _stopped;

    internal ILogger Logger => _logger;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Port == 0)
        {
            return Task.CompletedTask;
        }

        if (_host.IsHosted)
        {
            LogOffUnderTheHost(_logger);
            return Task.CompletedTask;
        }

        if (!OperatingSystem.IsLinux())
        {
            // Options validation says so first; this keeps the libc calls below unreachable elsewhere.
            throw new PlatformNotSupportedException("The tracker listener (Tracker:Listener:Port) runs on Linux only.");
        }

        var address = IPAddress.Parse(_options.Address);
        var port = ListenerPort.Start(this, ListenerPort.Bind(new IPEndPoint(address, _options.Port), _options.DeferAcceptSeconds), _options.Threads);
        lock (_ports)
        {
            _ports.Add(port);
        }

        Port = port.EndPoint.Port;
        LogListening(_logger, address, Port, port.Threads);
        return Task.CompletedTask;
    }

    /// <summary>Binds one of the server's own endpoints for Kestrel (<see cref="KestrelHandoff"/>): the listener accepts
    /// there, answers what it can, and hands Kestrel the rest.</summary>
    internal HandoffListener BindServerPort(IPEndPoint endpoint, KestrelHandoff handoff)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The tracker listener runs on Linux only.");
        }

        var socket = ListenerPort.Bind(endpoint, _options.DeferAcceptSeconds);
        ListenerPort? bound = null;
        bound = ListenerPort.Start(this, socket, _options.Threads, port => new HandoffListener(port.EndPoint, handoff, () =>
        {
            // Kestrel stops listening: this port's threads stop (slow connections finish or time out on their own).
            bound?.Dispose();
            lock (_ports)
            {
                _ports.Remove(bound!);
            }

            return ValueTask.CompletedTask;
        }));
        lock (_ports)
        {
            _ports.Add(bound);
        }

        LogSharing(_logger, bound.EndPoint, bound.Threads);
        return bound.Handoff!;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stopping.CancelAsync();
        ListenerPort[] ports;
        lock (_ports)
        {
            ports = [.. _ports];
        }

        foreach (var port in ports)
        {
            port.Stop();
        }

        // Slow connections saw the cancellation: wait for them to close their sockets.
        while (Volatile.Read(ref _slow) > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        foreach (var port in ports)
        {
            port.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_ports)
        {
            foreach (var port in _ports)
            {
                port.Dispose();
            }
        }

        _stopping.Dispose();
    }

    /// <summary>Rate limit, then the announce or scrape core; the answer's body goes to <paramref name="body"/>.</summary>
    /// <param name="bytes">The received bytes <paramref name="head"/> was parsed from (read before anything is awaited).</param>
    /// <param name="remote">The connection's peer as the rules see it (an IPv4-mapped address as IPv4).</param>
    /// <param name="remoteMapped">The socket gave the peer as an IPv4-mapped address (a dual-stack socket's IPv4 client).</param>
    internal ValueTask<TrackerReply> Dispatch(ReadOnlySpan<byte> bytes, in RequestHead head, IPAddress remote, bool remoteMapped, IRequestBytes request, ResponseBuffer body)
    {
        var core = Core;
        var client = core.Addresses.BelievesHeadersFrom(remote) ? core.ForwardedClient(remote, bytes[..head.Length]) : remote;
        var family = ClientFamilies.Of(client, remoteMapped, ReferenceEquals(client, remote));
        var query = bytes.Slice(head.QueryStart, head.QueryLength);
        if (!(head.Endpoint == TrackerEndpoint.Scrape ? core.RateLimit.TryAcquireScrape(client, query) : core.RateLimit.TryAcquire(client)))
        {
            core.RateLimit.WriteRefusal(family, body);
            return new(TrackerReply.Plain);
        }

        var passkey = bytes.Slice(head.PasskeyStart, head.PasskeyLength);
        if (head.Endpoint == TrackerEndpoint.Scrape)
        {
            return core.Scrapes.ScrapeAsync(query, passkey, client, family, new AcceptEncodingSource(ReadAcceptEncoding, request), body, Stopping);
        }

        var announced = core.Announces.AnnounceAsync(query, passkey, client, family, body, Stopping);
        if (!announced.IsCompletedSuccessfully)
        {
            return PlainAfter(announced);
        }

        announced.GetAwaiter().GetResult();
        return new(TrackerReply.Plain);
    }

    /// <summary>Takes a place on the async path for a connection waiting on its client; false (the connection is to be closed)
    /// when all are taken, or all its address may have (<see cref="TrackerListenerOptions.MaxSlowConnectionsPerAddress"/>).</summary>
    /// <param name="address">The address's key, to give back to <see cref="LeaveSlow"/>.</param>
    internal bool TryEnterSlow(IPAddress remote, out UInt128 address)
    {
        address = Engine.Limits.AddressBudgets.NetworkKey(remote, 64);
        if (_slowByAddress.AddOrUpdate(address, 1, static (_, count) => count + 1) > _options.MaxSlowConnectionsPerAddress)
        {
            LeaveAddress(address);
            Counters.CountDropped();
            return false;
        }

        if (Interlocked.Increment(ref _slow) > _options.MaxSlowConnections)
        {
            Interlocked.Decrement(ref _slow);
            LeaveAddress(address);
            Counters.CountDropped();
            return false;
        }

        Counters.CountSlow();
        return true;
    }

    /// <summary>Takes a place on the async path even beyond the bound: the request is already with the store.</summary>
    internal void EnterSlow()
    {
        Interlocked.Increment(ref _slow);
        Counters.CountSlow();
    }

    /// <param name="address">The key <see cref="TryEnterSlow"/> gave; null after <see cref="EnterSlow"/>.</param>
    internal void LeaveSlow(UInt128? address)
    {
        Interlocked.Decrement(ref _slow);
        if (address is { } key)
        {
            LeaveAddress(key);
        }
    }

    /// <summary>Slow connections of the address with key <paramref name="address"/> now (tests).</summary>
    internal int SlowFrom(UInt128 address) => _slowByAddress.TryGetValue(address, out var count) ? count : 0;

    private void LeaveAddress(UInt128 address)
    {
        // The entry goes when its last connection does, so the table holds only addresses that have one.
        while (_slowByAddress.TryGetValue(address, out var count))
        {
            if (count <= 1 ? _slowByAddress.TryRemove(new KeyValuePair<UInt128, int>(address, count)) : _slowByAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }

    private static async ValueTask<TrackerReply> PlainAfter(ValueTask announced)
    {
        await announced;
        return TrackerReply.Plain;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tracker:Listener:Port is set but the Functions host forwards only its own port: the tracker listener stays off.")]
    private static partial void LogOffUnderTheHost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracker listener on {EndPoint} with {Threads} threads, handing Kestrel what it does not answer.")]
    private static partial void LogSharing(ILogger logger, IPEndPoint endPoint, int threads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracker listener on {Address} port {Port} with {Threads} threads.")]
    private static partial void LogListening(ILogger logger, object address, int port, int threads);

    /// <summary>A bug on a connection (the thread or task survives it; the connection may be lost).</summary>
    [LoggerMessage(Level = LogLevel.Error, Message = "The tracker listener failed on a {Where} connection.")]
    internal static partial void LogConnectionFailed(ILogger logger, Exception exception, string where);
}
