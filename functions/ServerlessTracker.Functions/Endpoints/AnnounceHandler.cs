using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Functions.Network;
using ServerlessTracker.Functions.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Functions.Endpoints;

/// <summary>The announce hot path: raw query bytes in, engine, bencoded answer out, nothing allocated per request but the pooled.</summary>
public sealed class AnnounceHandler(
    ISwarmStore store,
    SwarmSettings swarm,
    IOptions<HttpTrackerOptions> options,
    ClientAddressReader addresses,
    ObjectPool<AnnounceResult> results)
{
    private static ReadOnlySpan<byte> StoreUnavailableReason => "tracker storage is unavailable, retry later"u8;
    private static ReadOnlySpan<byte> KeyMismatchReason => "peer_id is in use by a client with another key"u8;

    private readonly HttpTrackerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await TrackerResponses.SendFailureAsync(context, HttpTrackerError.MethodNotAllowed);
            return;
        }

        var error = Parse(context, out var command, out var format);
        if (error != HttpTrackerError.None)
        {
            await TrackerResponses.SendFailureAsync(context, error);
            return;
        }

        var result = results.Get();
        try
        {
            await store.AnnounceAsync(command, result, context.RequestAborted);
            await Answer(context, result, format);
        }
        finally
        {
            results.Return(result);
        }
    }

    private HttpTrackerError Parse(HttpContext context, out AnnounceCommand command, out AnswerFormat format)
    {
        command = default;
        format = default;
        // Sized to this query (bounded by the limit, checked in ReadQuery): no 8 KiB of zeroing per announce.
        Span<byte> query = stackalloc byte[Math.Min(_options.MaxQueryLength, context.Request.QueryString.Value?.Length ?? 0)];
        var error = TrackerResponses.ReadQuery(context, _options.MaxQueryLength, query, out var length);
        if (error != HttpTrackerError.None)
        {
            return error;
        }

        error = AnnounceRequestParser.Parse(query[..length], out var request);
        if (error != HttpTrackerError.None)
        {
            return error;
        }

        var client = request.ClaimedAddress is { } claimed && _options.AllowClaimedAddress ? claimed : addresses.Read(context);
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        var address = PeerAddress.FromIPAddress(client);
        command = new AnnounceCommand(
            InfoHash.FromBytes(request.InfoHash),
            PeerId.FromBytes(request.PeerId),
            address,
            request.Port,
            (PeerEvent)request.Event,
            request.Uploaded,
            request.Downloaded,
            request.Left,
            request.NumWant,
            request.Key,
            request.HasKey,
            AddressFamilies.Both);
        format = new AnswerFormat(request.Compact, request.NoPeerId, address);
        return HttpTrackerError.None;
    }

    private Task Answer(HttpContext context, AnnounceResult result, in AnswerFormat format)
    {
        switch (result.Status)
        {
            case AnnounceStatus.StoreUnavailable:
                var retry = result.RetryInSeconds > 0 ? result.RetryInSeconds : _options.RetryInSeconds;
                return TrackerResponses.SendFailureAsync(context, StoreUnavailableReason, retry, FailureResponseWriter.MinutesFromSeconds(retry));
            case AnnounceStatus.KeyMismatch:
                return TrackerResponses.SendFailureAsync(context, KeyMismatchReason, swarm.MinIntervalSeconds, 0);
        }

        Span<byte> externalIp = stackalloc byte[16];
        var response = new AnnounceResponse
        {
            Interval = swarm.JitteredInterval(Random.Shared),
            MinInterval = swarm.MinIntervalSeconds,
            Complete = result.Counts.Complete,
            Incomplete = result.Counts.Incomplete,
            Downloaded = result.Counts.Downloaded,
            Peers4 = result.Peers4,
            Peers6 = result.Peers6,
            PeerIds4 = result.PeerIds4,
            PeerIds6 = result.PeerIds6,
            Compact = format.Compact,
            NoPeerId = format.NoPeerId,
            ExternalIp = _options.ReportExternalIp ? externalIp[..format.Client.WriteCompact(externalIp)] : default,
        };

        var buffer = ArrayPool<byte>.Shared.Rent(AnnounceResponseWriter.MaxLength(response));
        var length = AnnounceResponseWriter.Write(response, buffer);
        return TrackerResponses.SendRentedAsync(context, buffer, length);
    }

    private readonly record struct AnswerFormat(bool Compact, bool NoPeerId, PeerAddress Client);
}
