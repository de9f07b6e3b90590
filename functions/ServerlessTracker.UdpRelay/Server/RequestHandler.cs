using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>Turns one datagram into its answer: verify, parse, ask the engine's store, encode. One per receive loop; not thread-safe.</summary>
/// <remarks>
/// No amplification: an address is verified only by a valid connection id. A connect is answered with
/// 16 bytes, exactly its own size. A request with a bad or expired id gets the 25-byte
/// "bad connection id" error only when the request itself was at least that long, otherwise nothing;
/// so no unverified address ever receives more bytes than it sent. Malformed packets from verified
/// clients get an error packet; anything without a transaction id is dropped, and so is anything from source port 0
/// (no reply can reach it). A sender over its budget (<see cref="AddressBudgets"/>; a scrape costs a token per info-hash)
/// is served nothing but one "slow down" when verified.
/// Policy is the HTTP policy: a passkey travels in BEP 41 URL data (<c>/announce/{passkey}</c>), a refusal is an
/// error packet with the same reason text (sent only to verified clients, so never an amplifier).
/// </remarks>
internal sealed class RequestHandler : IDisposable
{
    private const int MaxUrlData = 1024;

    private readonly AnnounceUseCase _announces;
    private readonly ScrapeUseCase _scrapes;
    private readonly AnnouncePolicy _policy;
    private readonly ConnectionIds _ids;
    private readonly RequestContextPool _pool;
    private readonly Socket _socket;
    private readonly byte[] _urlData = new byte[MaxUrlData];
    private readonly byte[] _client = new byte[16];
    private readonly Action<Exception> _onAsyncFault;
    private readonly AddressBudgets? _budgets;
    private RequestContext _context;

    public RequestHandler(TrackerCore core, ConnectionIds ids,
        RequestContextPool pool, Socket socket, Action<Exception> onAsyncFault, CancellationToken stopping, AddressBudgets? budgets = null)
    {
        _budgets = budgets;
        _announces = core.Announces;
        _scrapes = core.Scrapes;
        _policy = core.Announces.Policy;
        _ids = ids;
        _pool = pool;
        _socket = socket;
        _onAsyncFault = onAsyncFault;
        _context = pool.Rent(stopping);
    }

    /// <summary>The bytes to send back now (after <see cref="Handle"/> returned a positive length).</summary>
    public ReadOnlySpan<byte> Response => _context.Response;

    /// <summary>Handles one datagram; returns the answer's length in <see cref="Response"/>, or 0 to send nothing now.</summary>
    public int Handle(ReadOnlySpan<byte> packet, SocketAddress client, CancellationToken stopping)
    {
        // Port 0 cannot receive: a datagram from it names a victim, never a client (nothing is answered, nothing charged).
        if (!UdpRequestHeader.TryRead(packet, out var header) || !ClientAddress.TryRead(client, _client, out var port) || port == 0)
        {
            return 0;
        }

        if (_budgets is not null && _budgets.Take(_client, Cost(header, packet.Length)) is var verdict && verdict != BudgetVerdict.Allowed)
        {
            return OverBudget(verdict, header, packet.Length);
        }

        if (header.KnownAction == UdpAction.Connect)
        {
            return ConnectRequest.Parse(packet, out var transactionId).IsOk
                ? ConnectResponse.Write(_context.Response, transactionId, _ids.Issue(_client))
                : 0;
        }

        if (!_ids.IsValid(header.ConnectionId, _client))
        {
            return ErrorResponse.LengthOf(UdpRequestError.BadConnectionId) <= packet.Length
                ? ErrorResponse.Write(_context.Response, header.TransactionId, UdpRequestError.BadConnectionId)
                : 0;
        }

        return header.KnownAction switch
        {
            UdpAction.Announce => Announce(packet, client, stopping),
            UdpAction.Scrape => Scrape(packet, client, stopping),
            _ => ErrorResponse.Write(_context.Response, header.TransactionId, UdpRequestError.UnknownAction),
        };
    }

    public void Dispose() => _ids.Dispose();

    /// <summary>Tokens a datagram costs: a scrape one per info-hash it names (at most 74), anything else one.</summary>
    private static int Cost(UdpRequestHeader header, int length) =>
        header.KnownAction == UdpAction.Scrape
            ? Math.Clamp((length - UdpRequestHeader.Length) / Bytes20.Length, 1, ScrapeRequestParser.MaxInfoHashes)
            : 1;

    private int Announce(ReadOnlySpan<byte> packet, SocketAddress client, CancellationToken stopping)
    {
        var parsed = AnnounceRequestParser.Parse(packet, _urlData, out var request);
        if (!parsed.IsOk)
        {
            _announces.CountBadRequest(TrackerProtocol.Udp, ClientFamilies.Of(PeerAddress.FromBytes(_client)));
            return Refuse(parsed, request.TransactionId);
        }

        // The claimed address (offset 84) is ignored, as HTTP ignores ip=: a spoofable source of DDoS (BEP 7).
        var address = PeerAddress.FromBytes(_client);
        var families = address.IsIPv4 ? AddressFamilies.IPv4 : AddressFamilies.IPv6;
        var command = new AnnounceCommand(
            Engine.InfoHash.FromBytes(request.InfoHash),
            PeerId.FromBytes(request.PeerId),
            address,
            request.Port,
            (PeerEvent)request.Event,
            request.Uploaded,
            request.Downloaded,
            request.Left,
            request.NumWant,
            request.Key,
            HasKey: true,
            families);
        var context = _context;
        var pending = _announces.AnnounceAsync(TrackerProtocol.Udp, ClientFamilies.Of(address), PasskeyPath.Find(_urlData.AsSpan(0, request.UrlDataLength)), command, address, context.Result, CancellationToken.None);
        if (pending.IsCompletedSuccessfully)
        {
            return WriteAnnounce(context, pending.Result, request.TransactionId, families);
        }

        HandOff(client, stopping);
        _ = CompleteAnnounceAsync(pending, context, request.TransactionId, families);
        return 0;
    }

    private int WriteRefusal(byte[] response, uint transactionId, in PolicyDecision decision)
    {
        Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
        var length = _policy.WriteReason(decision, reason);
        return ErrorResponse.Write(response, transactionId, reason[..Math.Min(length, response.Length - ErrorResponse.HeaderLength)]);
    }

    private int Scrape(ReadOnlySpan<byte> packet, SocketAddress client, CancellationToken stopping)
    {
        var parsed = ScrapeRequestParser.Parse(packet, out var transactionId, out var hashes);
        if (!parsed.IsOk)
        {
            _scrapes.CountBadRequest(TrackerProtocol.Udp, ClientFamilies.Of(PeerAddress.FromBytes(_client)));
            return Refuse(parsed, transactionId);
        }

        // BEP 41 options follow announces only: a UDP scrape has no passkey, so private mode refuses it (HTTP scrape has one).
        var from = PeerAddress.FromBytes(_client);
        var decision = _scrapes.Authorize(TrackerProtocol.Udp, ClientFamilies.Of(from), [], from);
        if (!decision.IsAllowed)
        {
            return WriteRefusal(_context.Response, transactionId, decision);
        }

        var context = _context;
        var count = hashes.Length / Bytes20.Length;
        for (var i = 0; i < count; i++)
        {
            context.Hashes[i] = Engine.InfoHash.FromBytes(hashes.Slice(i * Bytes20.Length, Bytes20.Length));
        }

        var pending = _scrapes.ScrapeAsync(TrackerProtocol.Udp, ClientFamilies.Of(from), context.Hashes.AsMemory(0, count), context.Counts.AsMemory(0, count), CancellationToken.None);
        if (pending.IsCompletedSuccessfully)
        {
            return AnswerScrape(pending.Result, context, transactionId, count);
        }

        HandOff(client, stopping);
        _ = CompleteScrapeAsync(pending, context, transactionId, count);
        return 0;
    }

    /// <summary>Over budget: a verified sender is told to slow down once (an error no larger than its request), anyone else
    /// gets silence. Connects are never answered then: that is what keeps a spoofed flood from drawing our packets.</summary>
    private int OverBudget(BudgetVerdict verdict, UdpRequestHeader header, int requestLength) =>
        verdict == BudgetVerdict.FirstRefusal
        && header.KnownAction != UdpAction.Connect
        && ErrorResponse.LengthOf(UdpRequestError.SlowDown) <= requestLength
        && _ids.IsValid(header.ConnectionId, _client)
            ? ErrorResponse.Write(_context.Response, header.TransactionId, UdpRequestError.SlowDown)
            : 0;

    private int Refuse(UdpParseResult result, uint transactionId) =>
        result.Outcome == UdpParseOutcome.Error ? ErrorResponse.Write(_context.Response, transactionId, result.Error) : 0;

    /// <summary>The current context now belongs to a pending request; take a fresh one for the next datagram.</summary>
    private void HandOff(SocketAddress client, CancellationToken stopping)
    {
        _context.CopyReplyAddress(client);
        _context = _pool.Rent(stopping);
    }

    private int WriteAnnounce(RequestContext context, in AnnounceOutcome outcome, uint transactionId, AddressFamilies families)
    {
        var result = context.Result;
        return outcome.Kind switch
        {
            AnnounceOutcomeKind.Answered => AnnounceResponse.Write(
                context.Response,
                transactionId,
                outcome.Interval,
                result.Counts.Incomplete,
                result.Counts.Complete,
                families == AddressFamilies.IPv4 ? result.Peers4 : result.Peers6),
            AnnounceOutcomeKind.Refused => WriteRefusal(context.Response, transactionId, outcome.Decision),
            AnnounceOutcomeKind.KeyMismatch => ErrorResponse.Write(context.Response, transactionId, UdpRequestError.KeyMismatch),
            AnnounceOutcomeKind.Limited => ErrorResponse.Write(context.Response, transactionId, outcome.Limit switch
            {
                AnnounceLimit.NewSwarms => UdpRequestError.TooManyNewSwarms,
                AnnounceLimit.SwarmFull => UdpRequestError.SwarmFull,
                _ => UdpRequestError.PasskeyPeerLimit,
            }),
            _ => ErrorResponse.Write(context.Response, transactionId, UdpRequestError.TryAgainLater),
        };
    }

    private static int AnswerScrape(ScrapeStatus status, RequestContext context, uint transactionId, int count) =>
        status == ScrapeStatus.StoreUnavailable
            ? ErrorResponse.Write(context.Response, transactionId, UdpRequestError.TryAgainLater)
            : WriteScrape(context, transactionId, count);

    private static int WriteScrape(RequestContext context, uint transactionId, int count)
    {
        ScrapeResponse.WriteHeader(context.Response, transactionId);
        for (var i = 0; i < count; i++)
        {
            var counts = context.Counts[i];
            ScrapeResponse.WriteEntry(context.Response, i, counts.Complete, counts.Downloaded, counts.Incomplete);
        }

        return ScrapeResponse.LengthOf(count);
    }

    private async Task CompleteAnnounceAsync(ValueTask<AnnounceOutcome> pending, RequestContext context, uint transactionId, AddressFamilies families)
    {
        int length;
        try
        {
            length = WriteAnnounce(context, await pending.ConfigureAwait(false), transactionId, families);
        }
        catch (Exception exception)
        {
            _onAsyncFault(exception);
            length = ErrorResponse.Write(context.Response, transactionId, UdpRequestError.TryAgainLater);
        }

        Reply(context, length);
    }

    private async Task CompleteScrapeAsync(ValueTask<ScrapeStatus> pending, RequestContext context, uint transactionId, int count)
    {
        int length;
        try
        {
            length = AnswerScrape(await pending.ConfigureAwait(false), context, transactionId, count);
        }
        catch (Exception exception)
        {
            _onAsyncFault(exception);
            length = ErrorResponse.Write(context.Response, transactionId, UdpRequestError.TryAgainLater);
        }

        Reply(context, length);
    }

    private void Reply(RequestContext context, int length)
    {
        try
        {
            _socket.SendTo(context.Response.AsSpan(0, length), SocketFlags.None, context.ReplyTo);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The client is gone or the relay is stopping; UDP promises nothing more.
        }
        finally
        {
            _pool.Return(context);
        }
    }
}
