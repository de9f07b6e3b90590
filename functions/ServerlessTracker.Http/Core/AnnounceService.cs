using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Core;

/// <summary>The announce rules for HTTP, independent of the transport: raw query bytes, passkey and client address in,
/// bencoded body out. Kestrel's endpoint and the connection fast path both call it, so policy, metrics and stores behave the same.</summary>
/// <remarks>Runs synchronously up to the store; when the store answers at once (the in-memory store) nothing is awaited,
/// nothing is allocated but what the pools hand out.</remarks>
public sealed class AnnounceService(
    ISwarmStore store,
    SwarmSettings swarm,
    IOptions<HttpTrackerOptions> options,
    ObjectPool<AnnounceResult> results,
    AnnouncePolicy policy,
    TrackerMetrics metrics)
{
    private static ReadOnlySpan<byte> KeyMismatchReason => "peer_id is in use by a client with another key"u8;

    private readonly HttpTrackerOptions _options = options.Value;

    /// <summary>Serves one announce; the answer (always HTTP 200, <c>text/plain</c>) is written to <paramref name="body"/>.</summary>
    /// <param name="query">The raw query string as sent (with or without its <c>?</c>), ASCII.</param>
    /// <param name="pathPasskey">ASCII bytes of the path after <c>/announce/</c>; empty when there is none.</param>
    /// <param name="client">The client's address (the connection's, or what trusted proxies say).</param>
    public ValueTask AnnounceAsync(ReadOnlySpan<byte> query, ReadOnlySpan<byte> pathPasskey, IPAddress client, IBufferWriter<byte> body, CancellationToken cancellationToken)
    {
        metrics.Announce(TrackerProtocol.Http);
        var error = Parse(query, client, out var command, out var format, out var connection);
        if (error != HttpTrackerError.None)
        {
            metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
            FailureBodies.Write(body, error);
            return default;
        }

        Span<byte> passkey = stackalloc byte[RequestPasskey.BufferLength];
        var decision = policy.CheckAnnounce(passkey[..RequestPasskey.Select(pathPasskey, query, passkey)], command, connection);
        if (!decision.IsAllowed)
        {
            metrics.Failure(TrackerProtocol.Http, (FailureReason)decision.Verdict);
            WriteRefusal(decision, body);
            return default;
        }

        var result = results.Get();
        ValueTask stored;
        try
        {
            // A passkey's announce is accounted: the engine then stores it whenever its counters move, even inside min interval.
            stored = store.AnnounceAsync(decision.Account is null ? command : command with { Accounted = true }, result, cancellationToken);
        }
        catch
        {
            results.Return(result);
            throw;
        }

        if (!stored.IsCompletedSuccessfully)
        {
            return AnswerLaterAsync(stored, decision, result, format, body);
        }

        try
        {
            stored.GetAwaiter().GetResult();
            Answer(decision, result, format, body);
        }
        finally
        {
            results.Return(result);
        }

        return default;
    }

    /// <summary>Answers a request the transport refused before parsing (wrong method, a query that is not ASCII), counted as an announce.</summary>
    public void Refuse(HttpTrackerError error, IBufferWriter<byte> body)
    {
        metrics.Announce(TrackerProtocol.Http);
        metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
        FailureBodies.Write(body, error);
    }

    private async ValueTask AnswerLaterAsync(ValueTask stored, PolicyDecision decision, AnnounceResult result, AnswerFormat format, IBufferWriter<byte> body)
    {
        try
        {
            await stored;
            Answer(decision, result, format, body);
        }
        finally
        {
            results.Return(result);
        }
    }

    /// <param name="connection">The address the request came from (the policy's IP allow-list judges it, never a claimed address).</param>
    private HttpTrackerError Parse(ReadOnlySpan<byte> query, IPAddress seen, out AnnounceCommand command, out AnswerFormat format, out PeerAddress connection)
    {
        command = default;
        format = default;
        connection = default;
        if (query.Length > _options.MaxQueryLength)
        {
            return HttpTrackerError.QueryTooLong;
        }

        var error = AnnounceRequestParser.Parse(query, out var request);
        if (error != HttpTrackerError.None)
        {
            return error;
        }

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

    private void WriteRefusal(in PolicyDecision decision, IBufferWriter<byte> body)
    {
        Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
        var length = policy.WriteReason(decision, reason);
        FailureBodies.Write(body, reason[..length], swarm.MinIntervalSeconds, 0);
    }

    private void Answer(in PolicyDecision decision, AnnounceResult result, in AnswerFormat format, IBufferWriter<byte> body)
    {
        AnnouncePolicy.Account(decision, result);
        switch (result.Status)
        {
            case AnnounceStatus.StoreUnavailable:
                metrics.Failure(TrackerProtocol.Http, FailureReason.StoreUnavailable);
                var retry = result.RetryInSeconds > 0 ? result.RetryInSeconds : _options.RetryInSeconds;
                FailureBodies.WriteStoreUnavailable(body, retry);
                return;
            case AnnounceStatus.KeyMismatch:
                metrics.Failure(TrackerProtocol.Http, FailureReason.KeyMismatch);
                FailureBodies.Write(body, KeyMismatchReason, swarm.MinIntervalSeconds, 0);
                return;
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

        var length = AnnounceResponseWriter.Write(response, body.GetSpan(AnnounceResponseWriter.MaxLength(response)));
        body.Advance(length);
    }

    private readonly record struct AnswerFormat(bool Compact, bool NoPeerId, PeerAddress Client);
}
