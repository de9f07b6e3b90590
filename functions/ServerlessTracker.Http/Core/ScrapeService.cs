using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Core;

/// <summary>The HTTP adapter of the scrape use case (<see cref="ScrapeUseCase"/>, BEP 48), independent of the transport: counts
/// for the listed info-hashes, or every swarm when none is listed (the full scrape, HTTP's own).</summary>
/// <remarks>The policy applies as for announces: passkey (private mode) and client address; a torrent the tracker does not
/// serve (deny list, or not on the allow list in allow-list-only mode) is reported with zero counts. A full scrape is the
/// shared snapshot itself (<see cref="ResponseBuffer.Share"/>: never copied into the request's buffer), holding one of
/// <see cref="FullScrapeSlots"/> until the transport has sent it; it is off by default in private mode, where it would list
/// every info-hash to any passkey holder.</remarks>
public sealed class ScrapeService(
    ScrapeUseCase scrapes,
    IOptions<HttpTrackerOptions> options,
    FullScrapeCache fullScrape,
    FullScrapeSlots fullScrapeSlots)
{
    private static ReadOnlySpan<byte> FullScrapeDisabledReason => "full scrape is disabled; name info_hash values"u8;

    private static ReadOnlySpan<byte> FullScrapeBusyReason => "too many full scrapes at once; retry later"u8;

    private readonly HttpTrackerOptions _options = options.Value;
    private readonly bool _fullScrapeEnabled = FullScrapeCache.IsEnabled(options.Value, scrapes.Policy);

    /// <summary>Serves one scrape into <paramref name="body"/>; the result says how the body is encoded.</summary>
    /// <param name="query">The raw query string as sent (with or without its <c>?</c>), ASCII.</param>
    /// <param name="pathPasskey">ASCII bytes of the path after <c>/scrape/</c>; empty when there is none.</param>
    /// <param name="client">The client's address (the connection's, or what trusted proxies say).</param>
    /// <param name="acceptEncoding">The request's <c>Accept-Encoding</c>, read only for a full scrape.</param>
    /// <param name="body">Receives the answer: written into, or, for a full scrape, given the shared snapshot (reset it
    /// once the answer is sent, which frees the full scrape's slot).</param>
    /// <param name="family">How the front door saw the client, for the counters (<see cref="ClientFamilies"/>).</param>
    public ValueTask<TrackerReply> ScrapeAsync(
        ReadOnlySpan<byte> query, ReadOnlySpan<byte> pathPasskey, IPAddress client, ClientFamily family, AcceptEncodingSource acceptEncoding, ResponseBuffer body,
        CancellationToken cancellationToken)
    {
        var decision = Check(pathPasskey, query, client, family);
        if (!decision.IsAllowed)
        {
            WriteRefusal(decision, body);
            return new(TrackerReply.Plain);
        }

        var hashes = ArrayPool<InfoHash>.Shared.Rent(_options.MaxScrapeHashes);
        var error = Parse(query, hashes, out var count);
        if (error != HttpTrackerError.None || count == 0)
        {
            ArrayPool<InfoHash>.Shared.Return(hashes);
            if (error != HttpTrackerError.None)
            {
                scrapes.CountMalformed(TrackerProtocol.Http, family);
                FailureBodies.Write(body, error);
                return new(TrackerReply.Plain);
            }

            return FullScrape(acceptEncoding, family, body, cancellationToken);
        }

        var counts = ArrayPool<SwarmCounts>.Shared.Rent(_options.MaxScrapeHashes);
        ValueTask<ScrapeStatus> scraped;
        try
        {
            scraped = scrapes.ScrapeAsync(TrackerProtocol.Http, family, hashes.AsMemory(0, count), counts.AsMemory(0, count), cancellationToken);
        }
        catch
        {
            Return(hashes, counts);
            throw;
        }

        if (!scraped.IsCompletedSuccessfully)
        {
            return AnswerLaterAsync(scraped, hashes, counts, count, body);
        }

        try
        {
            Answer(scraped.GetAwaiter().GetResult(), hashes, counts, count, body);
        }
        finally
        {
            Return(hashes, counts);
        }

        return new(TrackerReply.Plain);
    }

    /// <summary>Answers a request the transport refused before parsing (wrong method, a query that is not ASCII), counted as a scrape.</summary>
    public void Refuse(HttpTrackerError error, ClientFamily family, IBufferWriter<byte> body)
    {
        scrapes.CountBadRequest(TrackerProtocol.Http, family);
        FailureBodies.Write(body, error);
    }

    private async ValueTask<TrackerReply> AnswerLaterAsync(ValueTask<ScrapeStatus> scraped, InfoHash[] hashes, SwarmCounts[] counts, int count, IBufferWriter<byte> body)
    {
        try
        {
            Answer(await scraped, hashes, counts, count, body);
            return TrackerReply.Plain;
        }
        finally
        {
            Return(hashes, counts);
        }
    }

    private static void Return(InfoHash[] hashes, SwarmCounts[] counts)
    {
        ArrayPool<InfoHash>.Shared.Return(hashes);
        ArrayPool<SwarmCounts>.Shared.Return(counts);
    }

    private PolicyDecision Check(ReadOnlySpan<byte> pathPasskey, ReadOnlySpan<byte> query, IPAddress client, ClientFamily family)
    {
        Span<byte> passkey = stackalloc byte[RequestPasskey.BufferLength];
        var length = RequestPasskey.Select(pathPasskey, query, passkey);
        return scrapes.Authorize(TrackerProtocol.Http, family, passkey[..length], PeerAddress.FromIPAddress(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client));
    }

    private void WriteRefusal(in PolicyDecision decision, IBufferWriter<byte> body)
    {
        Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
        var length = scrapes.Policy.WriteReason(decision, reason);
        FailureBodies.Write(body, reason[..length], 0, 0);
    }

    private HttpTrackerError Parse(ReadOnlySpan<byte> query, InfoHash[] hashes, out int count)
    {
        count = 0;
        if (query.Length > _options.MaxQueryLength)
        {
            return HttpTrackerError.QueryTooLong;
        }

        Span<Bytes20> raw = stackalloc Bytes20[_options.MaxScrapeHashes];
        var error = ScrapeRequestParser.Parse(query, raw, out count);
        for (var i = 0; i < count; i++)
        {
            hashes[i] = InfoHash.FromBytes(raw[i]);
        }

        return error;
    }

    private void Answer(ScrapeStatus status, InfoHash[] hashes, SwarmCounts[] counts, int count, IBufferWriter<byte> body)
    {
        if (status == ScrapeStatus.StoreUnavailable)
        {
            FailureBodies.WriteStoreUnavailable(body, _options.RetryInSeconds);
            return;
        }

        // Bencode wants the files dictionary in raw key order, each key once.
        Array.Sort(hashes, counts, 0, count);
        var writer = new BencodeWriter(body.GetSpan(ScrapeResponseWriter.EnvelopeLength + (count * ScrapeResponseWriter.MaxEntryLength)));
        Span<byte> key = stackalloc byte[InfoHash.Length];
        ScrapeResponseWriter.WriteStart(ref writer);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && hashes[i] == hashes[i - 1])
            {
                continue;
            }

            hashes[i].CopyTo(key);
            ScrapeResponseWriter.WriteEntry(ref writer, key, counts[i].Complete, counts[i].Downloaded, counts[i].Incomplete);
        }

        ScrapeResponseWriter.WriteEnd(ref writer);
        body.Advance(writer.BytesWritten);
    }

    private ValueTask<TrackerReply> FullScrape(AcceptEncodingSource acceptEncoding, ClientFamily family, ResponseBuffer body, CancellationToken cancellationToken)
    {
        if (!_fullScrapeEnabled)
        {
            FailureBodies.Write(body, FullScrapeDisabledReason, 0, 0);
            return new(TrackerReply.Plain);
        }

        var slot = fullScrapeSlots.TryEnter();
        if (slot is null)
        {
            scrapes.CountBusy(TrackerProtocol.Http, family);
            FailureBodies.Write(body, FullScrapeBusyReason, _options.RetryInSeconds, FailureResponseWriter.MinutesFromSeconds(_options.RetryInSeconds));
            return new(TrackerReply.Plain);
        }

        ValueTask<FullScrapeCache.Snapshot> snapshot;
        bool gzip;
        try
        {
            gzip = acceptEncoding.AllowsGzip();
            snapshot = fullScrape.GetAsync(cancellationToken);
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        return snapshot.IsCompletedSuccessfully
            ? new(ShareFullScrape(snapshot.Result, gzip, body, slot))
            : FullScrapeLaterAsync(snapshot, gzip, body, slot);
    }

    private static async ValueTask<TrackerReply> FullScrapeLaterAsync(ValueTask<FullScrapeCache.Snapshot> snapshot, bool gzip, ResponseBuffer body, IDisposable slot)
    {
        FullScrapeCache.Snapshot built;
        try
        {
            built = await snapshot;
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        return ShareFullScrape(built, gzip, body, slot);
    }

    /// <summary>The snapshot's bytes become the body as they are; the slot goes with them until the body is reset.</summary>
    private static TrackerReply ShareFullScrape(FullScrapeCache.Snapshot snapshot, bool acceptsGzip, ResponseBuffer body, IDisposable slot)
    {
        if (snapshot.Gzip is { } gzip && acceptsGzip)
        {
            body.Share(gzip, slot);
            return TrackerReply.Gzip | TrackerReply.VaryByEncoding;
        }

        body.Share(snapshot.Plain, slot);
        return TrackerReply.VaryByEncoding;
    }
}
