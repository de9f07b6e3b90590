using System.IO.Compression;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Scrape;

/// <summary>Renders a full scrape from a list of every swarm, the same bytes whether an instance builds it on demand or the
/// purge timer publishes it: torrents the tracker does not serve (deny list; in allow-list-only mode, those not on the allow
/// list) are left out, as a scrape naming them reports zeros.</summary>
public static class FullScrapeRenderer
{
    /// <summary>The bencoded answer and how many swarms it lists.</summary>
    public static (byte[] Plain, int Swarms) Render(IReadOnlyList<SwarmSummary> swarms, AnnouncePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(swarms);
        ArgumentNullException.ThrowIfNull(policy);
        var sorted = swarms.Where(swarm => policy.IsServed(swarm.InfoHash)).ToArray();
        Array.Sort(sorted, static (a, b) => a.InfoHash.CompareTo(b.InfoHash));

        var plain = new byte[ScrapeResponseWriter.EnvelopeLength + (sorted.Length * ScrapeResponseWriter.MaxEntryLength)];
        var writer = new BencodeWriter(plain);
        Span<byte> key = stackalloc byte[InfoHash.Length];
        ScrapeResponseWriter.WriteStart(ref writer);
        foreach (var swarm in sorted)
        {
            swarm.InfoHash.CopyTo(key);
            ScrapeResponseWriter.WriteEntry(ref writer, key, swarm.Counts.Complete, swarm.Counts.Downloaded, swarm.Counts.Incomplete);
        }

        ScrapeResponseWriter.WriteEnd(ref writer);
        Array.Resize(ref plain, writer.BytesWritten);
        return (plain, sorted.Length);
    }

    public static async Task<byte[]> GzipAsync(byte[] plain, CancellationToken cancellationToken)
    {
        using var compressed = new MemoryStream();
        await using (var zip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await zip.WriteAsync(plain, cancellationToken);
        }

        return compressed.ToArray();
    }

    /// <summary>The bencoded answer inside a gzip blob; null when the bytes are not gzip (a blob written by something else).</summary>
    public static byte[]? Gunzip(byte[] gzip)
    {
        try
        {
            using var zip = new GZipStream(new MemoryStream(gzip, writable: false), CompressionMode.Decompress);
            using var plain = new MemoryStream(gzip.Length * 4);
            zip.CopyTo(plain);
            return plain.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
