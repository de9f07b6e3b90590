using System.IO.Compression;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Scrape;

/// <summary>A full scrape answer (and its gzip form), rendered from the instance's one shared list of every swarm
/// (<see cref="SwarmListing"/>, read at most once per <c>Tracker:Listing:RefreshSeconds</c>, the stats page's too) and
/// reused for at least <see cref="HttpTrackerOptions.FullScrapeCacheSeconds"/>; rendered again only from a newer list.</summary>
/// <remarks>
/// <para>A full scrape lists every swarm: building it per request would let one client cost what thousands of announces cost.</para>
/// <para>Torrents the tracker does not serve (deny list; in allow-list-only mode, those not on the allow list) are left out, as a
/// scrape naming them reports zeros; a change to the lists makes the next request build the answer again.</para>
/// </remarks>
public sealed class FullScrapeCache(SwarmListing listing, AnnouncePolicy policy, IOptions<HttpTrackerOptions> options, TimeProvider time)
{
    private readonly HttpTrackerOptions _options = options.Value;
    private readonly RebuiltValue<Snapshot> _snapshot = new(snapshot =>
        time.GetUtcNow() - snapshot.BuiltAt >= TimeSpan.FromSeconds(options.Value.FullScrapeCacheSeconds) || snapshot.ListChanges != policy.InfoHashes.Changes);

    /// <summary>The bencoded answer, its gzip form when enabled, when it was built, and from which list.</summary>
    public sealed record Snapshot(byte[] Plain, byte[]? Gzip, int Swarms, DateTimeOffset BuiltAt, long ListVersion, long ListChanges = 0);

    public ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken) =>
        _snapshot.GetAsync(BuildAsync, cancellationToken);

    private async Task<Snapshot> BuildAsync(Snapshot? previous, CancellationToken cancellationToken)
    {
        var list = await listing.GetAsync(cancellationToken);
        var changes = policy.InfoHashes.Changes;
        if (previous is not null && previous.ListVersion == list.Version && previous.ListChanges == changes)
        {
            // The same list: the same answer, reused for another period.
            return previous with { BuiltAt = time.GetUtcNow() };
        }

        var sorted = list.Swarms.Where(swarm => policy.IsServed(swarm.InfoHash)).ToArray();
        Array.Sort(sorted, static (a, b) => a.InfoHash.CompareTo(b.InfoHash));

        var plain = new byte[ScrapeResponseWriter.EnvelopeLength + (sorted.Length * ScrapeResponseWriter.MaxEntryLength)];
        var length = Write(sorted, plain);
        Array.Resize(ref plain, length);

        byte[]? gzip = null;
        if (_options.FullScrapeGzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                await zip.WriteAsync(plain, cancellationToken);
            }

            gzip = compressed.ToArray();
        }

        return new Snapshot(plain, gzip, sorted.Length, time.GetUtcNow(), list.Version, changes);
    }

    private static int Write(SwarmSummary[] sorted, byte[] destination)
    {
        var writer = new BencodeWriter(destination);
        Span<byte> key = stackalloc byte[InfoHash.Length];
        ScrapeResponseWriter.WriteStart(ref writer);
        foreach (var swarm in sorted)
        {
            swarm.InfoHash.CopyTo(key);
            ScrapeResponseWriter.WriteEntry(ref writer, key, swarm.Counts.Complete, swarm.Counts.Downloaded, swarm.Counts.Incomplete);
        }

        ScrapeResponseWriter.WriteEnd(ref writer);
        return writer.BytesWritten;
    }
}
