using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>Everything one request needs to be answered, allocated once and reused: result buffers, answer bytes, reply address.</summary>
/// <remarks>
/// A receive loop owns one context while the store answers synchronously (the in-memory store always
/// does). When the store must wait, the context travels with the pending request and the loop rents
/// another, so a slow store never blocks the loop nor shares buffers between requests.
/// </remarks>
internal sealed class RequestContext
{
    public RequestContext(int maxPeers, AddressFamily family)
    {
        // BEP 15 answers carry no peer ids.
        Result = new AnnounceResult(maxPeers) { KeepsPeerIds = false };
        Response = new byte[AnnounceResponse.LengthOf(maxPeers * 18)];
        ReplyTo = new SocketAddress(family);
    }

    public AnnounceResult Result { get; }

    public InfoHash[] Hashes { get; } = new InfoHash[ScrapeRequestParser.MaxInfoHashes];

    public SwarmCounts[] Counts { get; } = new SwarmCounts[ScrapeRequestParser.MaxInfoHashes];

    public byte[] Response { get; }

    /// <summary>The client's address, copied here only when the request is answered later.</summary>
    public SocketAddress ReplyTo { get; }

    public void CopyReplyAddress(SocketAddress client)
    {
        client.Buffer.Span[..client.Size].CopyTo(ReplyTo.Buffer.Span);
        ReplyTo.Size = client.Size;
    }
}

/// <summary>Contexts for requests waiting on the store; renting blocks when <c>Relay:MaxPendingRequests</c> are out.</summary>
internal sealed class RequestContextPool(int maxPeers, AddressFamily family, int capacity) : IDisposable
{
    private readonly ConcurrentQueue<RequestContext> _free = new();
    private readonly SemaphoreSlim _available = new(capacity, capacity);

    public RequestContext Rent(CancellationToken cancellationToken)
    {
        _available.Wait(cancellationToken);
        return _free.TryDequeue(out var context) ? context : new RequestContext(maxPeers, family);
    }

    public void Return(RequestContext context)
    {
        _free.Enqueue(context);
        _available.Release();
    }

    public void Dispose() => _available.Dispose();
}
