using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Core;

/// <summary>The HTTP adapter of the announce use case (<see cref="AnnounceUseCase"/>), independent of the transport: raw query
/// bytes, passkey and client address in, bencoded body out. Kestrel's endpoint, the connection fast path, the tracker listener
/// and the function app all call it.</summary>
/// <remarks>Runs synchronously up to the store; when the store answers at once (the in-memory store) nothing is awaited,
/// nothing is allocated but what the pools hand out.</remarks>
public sealed class AnnounceService(
    AnnounceUseCase announces,
    IOptions<HttpTrackerOptions> options,
    ObjectPool<AnnounceResult> results)
{
    private static ReadOnlySpan<byte> KeyMismatchReason => "peer_id is in use by a client with another key"u8;

    private readonly HttpTrackerOptions _options = options.Value;
    private readonly AnnouncePolicy _policy = announces.Policy;
    private readonly int _minInterval = announces.Settings.MinIntervalSeconds;

    /// <summary>Serves one announce; the answer (always HTTP 200, <c>text/plain</c>) is written to <paramref name="body"/>.</summary>
    /// <param name="query">The raw query string as sent (with or without its <c>?</c>), ASCII.</param>
    /// <param name="pathPasskey">ASCII bytes of the path after <c>/announce/</c>; empty when there is none.</param>
    /// <param name="client">The client's address (the connection's, or what trusted proxies say).</param>
    /// <param name="family">How the front door saw the client, for the counters (<see cref="ClientFamilies"/>).</param>
    public ValueTask AnnounceAsync(
        ReadOnlySpan<byte> query, ReadOnlySpan<byte> pathPasskey, IPAddress client, ClientFamily family, IBufferWriter<byte> body, CancellationToken cancellationToken)
    {
        var error = Parse(query, client, out var command, out var format, out var connection);
        if (error != HttpTrackerError.None)
        {
            announces.CountBadRequest(TrackerProtocol.Http, family);
            FailureBodies.Write(body, error);
            return default;
        }

        Span<byte> passkey = stackalloc byte[RequestPasskey.BufferLength];
        var result = results.Get();
        result.KeepsPeerIds = !format.Compact && !format.NoPeerId;
        ValueTask<AnnounceOutcome> outcome;
        try
        {
            outcome = announces.AnnounceAsync(TrackerProtocol.Http, family, passkey[..RequestPasskey.Select(pathPasskey, query, passkey)], command, connection, result, cancellationToken);
        }
        catch
        {
            results.Return(result);
            throw;
        }

        if (!outcome.IsCompletedSuccessfully)
        {
            return AnswerLaterAsync(outcome, result, format, body);
        }

        try
        {
            Answer(outcome.GetAwaiter().GetResult(), result, format, body);
        }
        finally
        {
            results.Return(result);
        }

        return default;
    }

    /// <summary>Answers a request the transport refused before parsing (wrong method, a query that is not ASCII), counted as an announce.</summary>
    public void Refuse(HttpTrackerError error, ClientFamily family, IBufferWriter<byte> body)
    {
        announces.CountBadRequest(TrackerProtocol.Http, family);
        FailureBodies.Write(body, error);
    }

    private async ValueTask AnswerLaterAsync(ValueTask<AnnounceOutcome> outcome, AnnounceResult result, AnswerFormat format, IBufferWriter<byte> body)
    {
        try
        {
            Answer(await outcome, result, format, body);
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

        // A claimed address (BEP 7's ip=) only when the operator allows it, and never one that aims the swarm at a private,
        // loopback, link-local or otherwise unroutable address (a way to point peers at the tracker's own network).
        var client = request.ClaimedAddress is { } claimed && _options.AllowClaimedAddress && ClaimedAddresses.IsAcceptable(claimed) ? claimed : seen;
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
            AddressFamilies.Both)
        {
            AddressClaimed = !ReferenceEquals(client, seen) && address != connection,
        };

        // Peer ids only to a client that asks for them (no_peer_id=0), never in private mode: a peer id is what a stop or a
        // takeover of a peer without a key needs, and a dictionary answer would hand out up to MaxNumWant of them.
        format = new AnswerFormat(request.Compact, !request.PeerIdsAsked || _policy.PrivateMode.Enabled, address);
        return HttpTrackerError.None;
    }

    private void Answer(in AnnounceOutcome outcome, AnnounceResult result, in AnswerFormat format, IBufferWriter<byte> body)
    {
        switch (outcome.Kind)
        {
            case AnnounceOutcomeKind.Refused:
                Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
                FailureBodies.Write(body, reason[.._policy.WriteReason(outcome.Decision, reason)], _minInterval, 0);
                return;
            case AnnounceOutcomeKind.StoreUnavailable:
                FailureBodies.WriteStoreUnavailable(body, outcome.RetryInSeconds > 0 ? outcome.RetryInSeconds : _options.RetryInSeconds);
                return;
            case AnnounceOutcomeKind.KeyMismatch:
                FailureBodies.Write(body, KeyMismatchReason, _minInterval, 0);
                return;
            case AnnounceOutcomeKind.Limited:
                Span<byte> limit = stackalloc byte[AnnouncePolicy.MaxReasonLength];
                FailureBodies.Write(body, limit[..announces.WriteLimitReason(outcome.Limit, limit)], outcome.Interval,
                    FailureResponseWriter.MinutesFromSeconds(outcome.RetryInSeconds));
                return;
        }

        Span<byte> externalIp = stackalloc byte[16];
        var response = new AnnounceResponse
        {
            Interval = outcome.Interval,
            MinInterval = _minInterval,
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
