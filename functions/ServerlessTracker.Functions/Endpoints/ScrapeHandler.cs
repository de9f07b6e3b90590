using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Functions.Network;
using ServerlessTracker.Functions.Options;
using ServerlessTracker.Functions.Scrape;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Functions.Endpoints;

/// <summary>Scrape (BEP 48): counts for the listed info-hashes, or every swarm when none is listed.</summary>
/// <remarks>The policy applies as for announces: passkey (private mode) and client address; a torrent the tracker does not
/// serve (deny list, or not on the allow list in allow-list-only mode) is reported with zero counts.</remarks>
public sealed class ScrapeHandler(
    ISwarmStore store,
    IOptions<HttpTrackerOptions> options,
    FullScrapeCache fullScrape,
    AnnouncePolicy policy,
    ClientAddressReader addresses,
    TrackerMetrics metrics)
{
    private readonly HttpTrackerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        metrics.Scrape(TrackerProtocol.Http);
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
            await TrackerResponses.SendFailureAsync(context, HttpTrackerError.MethodNotAllowed);
            return;
        }

        var decision = Check(context);
        if (!decision.IsAllowed)
        {
            metrics.Failure(TrackerProtocol.Http, (FailureReason)decision.Verdict);
            await SendRefusal(context, decision);
            return;
        }

        var hashes = ArrayPool<InfoHash>.Shared.Rent(_options.MaxScrapeHashes);
        var counts = ArrayPool<SwarmCounts>.Shared.Rent(_options.MaxScrapeHashes);
        try
        {
            var error = Parse(context, hashes, out var count);
            if (error != HttpTrackerError.None)
            {
                metrics.Failure(TrackerProtocol.Http, FailureReason.BadRequest);
                await TrackerResponses.SendFailureAsync(context, error);
                return;
            }

            if (count == 0)
            {
                await SendFullScrapeAsync(context);
                return;
            }

            await store.ScrapeAsync(hashes.AsMemory(0, count), counts.AsMemory(0, count), context.RequestAborted);
            for (var i = 0; i < count; i++)
            {
                if (!policy.IsServed(hashes[i]))
                {
                    counts[i] = default;
                }
            }

            var (buffer, length) = Write(hashes, counts, count);
            await TrackerResponses.SendRentedAsync(context, buffer, length);
        }
        finally
        {
            ArrayPool<InfoHash>.Shared.Return(hashes);
            ArrayPool<SwarmCounts>.Shared.Return(counts);
        }
    }

    private PolicyDecision Check(HttpContext context)
    {
        Span<byte> passkey = stackalloc byte[HttpPasskey.BufferLength];
        var length = HttpPasskey.Read(context, passkey);
        if (length == 0 && !policy.PrivateMode.Enabled && !policy.Access.IpAllowListEnabled)
        {
            return PolicyDecision.Allow(null);
        }

        var client = addresses.Read(context);
        return policy.CheckScrape(passkey[..length], PeerAddress.FromIPAddress(client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client));
    }

    private Task SendRefusal(HttpContext context, in PolicyDecision decision)
    {
        Span<byte> reason = stackalloc byte[AnnouncePolicy.MaxReasonLength];
        var length = policy.WriteReason(decision, reason);
        return TrackerResponses.SendFailureAsync(context, reason[..length], 0, 0);
    }

    private HttpTrackerError Parse(HttpContext context, InfoHash[] hashes, out int count)
    {
        count = 0;
        Span<byte> query = stackalloc byte[Math.Min(_options.MaxQueryLength, context.Request.QueryString.Value?.Length ?? 0)];
        var error = TrackerResponses.ReadQuery(context, _options.MaxQueryLength, query, out var length);
        if (error != HttpTrackerError.None)
        {
            return error;
        }

        Span<Bytes20> raw = stackalloc Bytes20[_options.MaxScrapeHashes];
        error = ScrapeRequestParser.Parse(query[..length], raw, out count);
        for (var i = 0; i < count; i++)
        {
            hashes[i] = InfoHash.FromBytes(raw[i]);
        }

        return error;
    }

    private static (byte[] Buffer, int Length) Write(InfoHash[] hashes, SwarmCounts[] counts, int count)
    {
        // Bencode wants the files dictionary in raw key order, each key once.
        Array.Sort(hashes, counts, 0, count);
        var buffer = ArrayPool<byte>.Shared.Rent(ScrapeResponseWriter.EnvelopeLength + (count * ScrapeResponseWriter.MaxEntryLength));
        var writer = new BencodeWriter(buffer);
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
        return (buffer, writer.BytesWritten);
    }

    private async Task SendFullScrapeAsync(HttpContext context)
    {
        if (!_options.FullScrapeEnabled)
        {
            await TrackerResponses.SendFailureAsync(context, "full scrape is disabled; name info_hash values");
            return;
        }

        var snapshot = await fullScrape.GetAsync(context.RequestAborted);
        var response = context.Response;
        response.ContentType = TrackerResponses.ContentType;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        var body = snapshot.Plain;
        if (snapshot.Gzip is { } gzip && AcceptsGzip(context.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            body = gzip;
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var encoding in request.GetTypedHeaders().AcceptEncoding)
        {
            if (encoding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && encoding.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }
}
