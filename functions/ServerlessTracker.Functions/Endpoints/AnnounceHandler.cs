using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
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
    ObjectPool<AnnounceResult> results,
    AnnouncePolicy policy,
    TrackerMetrics metrics)
{
    private static ReadOnlySpan<byte> StoreUnavailableReason => "tracker storage is unavailable, retry later"u8;
    private static ReadOnlySpan<byte> KeyMismatchReason => "peer_id is in use by a client with another key"u8;

    private readonly HttpTrackerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        metrics.Announce(TrackerProtocol.Http);
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
            await TrackerResponses.SendFailureAsync(context, HttpTrackerError.MethodNotAllowed);
            return;
        }

        var error = Parse(context, out var command, out var format, out var connection);
        if (error != HttpTrackerError.None)
        {
            metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
            await TrackerResponses.SendFailureAsync(context, error);
            return;
        }

        var decision = Check(context, command, connection);
        if (!decision.IsAllowed)
        {
            metrics.Failure(TrackerProtocol.Http, (FailureReason)decision.Verdict);
            await SendRefusal(context, decision);
            return;
        }

        var result = results.Get();
        try
        {
            await store.AnnounceAsync(decision.Account is null ? command : command with { Accounted = true }, result, context.RequestAborted);
            AnnouncePolicy.Account(decision, result);
            await Answer(context, result, format);
        }
        finally
        {
            results.Return(result);
        }
    }

    /// <param name="connection">The address the request came from (the policy's IP allow-list judges it, never a claimed address).</param>
    private HttpTrackerError Parse(HttpContext context, out AnnounceCommand command, out AnswerFormat format, out PeerAddress connection)
    {
        command = default;
        format = default;
        connection = default;
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

        var seen = addresses.Read(context);
        var client = request.ClaimedAddress is { } claimed && _options.AllowClaimedAddress ? claimed : seen;
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        var address = PeerAddress.FromIPAddress(client);
        connection = ReferenceEquals(client, seen) ? address : PeerAddress.FromIPAddress(seen.IsIPv4MappedToIPv6 ? seen.MapToIPv4() : seen);
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

    private PolicyDecision Check(HttpContext context, in AnnounceCommand command, PeerAddress connection)
    {
        Span<byte> passkey = stackalloc byte[HttpPasskey.BufferLength];
        var length = HttpPasskey.Read(context, passkey);
        return policy.CheckAnnounce(passkey[..length], command, connection);
    }

    private Task SendRefusal(HttpContext context, in PolicyDecision decision)
    {
        Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
        var length = policy.WriteReason(decision, reason);
        return TrackerResponses.SendFailureAsync(context, reason[..length], swarm.MinIntervalSeconds, 0);
    }

    private Task Answer(HttpContext context, AnnounceResult result, in AnswerFormat format)
    {
        switch (result.Status)
        {
            case AnnounceStatus.StoreUnavailable:
                metrics.Failure(TrackerProtocol.Http, FailureReason.StoreUnavailable);
                var retry = result.RetryInSeconds > 0 ? result.RetryInSeconds : _options.RetryInSeconds;
                return TrackerResponses.SendFailureAsync(context, StoreUnavailableReason, retry, FailureResponseWriter.MinutesFromSeconds(retry));
            case AnnounceStatus.KeyMismatch:
                metrics.Failure(TrackerProtocol.Http, FailureReason.KeyMismatch);
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
