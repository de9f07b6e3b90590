using System.IO.Hashing;

namespace ServerlessTracker.Bench.Workloads;

/// <summary>What the validator needs to know about one request to judge its answer.</summary>
/// <param name="Kind">Announce or scrape.</param>
/// <param name="Stopped">An announce with event=stopped (an empty peer list is then normal).</param>
/// <param name="Seeder">The announcing peer has nothing left (a tracker may send it no seeders).</param>
/// <param name="ScrapedHashes">How many info_hash keys a scrape carried.</param>
public readonly record struct RequestInfo(RequestKind Kind, bool Stopped, bool Seeder, int ScrapedHashes);

/// <summary>The two kinds of HTTP tracker request the benchmark sends.</summary>
public enum RequestKind
{
    Announce,
    Scrape,
}

/// <summary>
/// A deterministic sequence of complete HTTP/1.1 requests. Every tracker gets the same bytes in the same order:
/// the Host header is a constant, not the tracker's port. A running XxHash3 over all bytes is recorded every
/// <see cref="CheckpointInterval"/> requests so a run can prove two trackers were sent identical streams.
/// Not thread-safe: the load generator calls <see cref="Next"/> under its lock.
/// </summary>
public abstract class RequestStream
{
    /// <summary>Requests between two digest checkpoints.</summary>
    public const int CheckpointInterval = 10_000;

    private readonly XxHash3 digest = new();
    private readonly List<ulong> checkpoints = [];
    private readonly bool connectionClose;

    protected RequestStream(bool connectionClose) => this.connectionClose = connectionClose;

    /// <summary>Requests handed out so far.</summary>
    public long Issued { get; private set; }

    /// <summary>Digest of the first (i+1)*<see cref="CheckpointInterval"/> requests, for each i reached.</summary>
    public IReadOnlyList<ulong> Checkpoints => checkpoints;

    /// <summary>Upper bound of one request's size in bytes.</summary>
    public virtual int MaxRequestBytes => 2048;

    /// <summary>Writes the next request; returns its length, or 0 when the stream is finished.</summary>
    public int Next(Span<byte> destination, out RequestInfo info)
    {
        var length = 0;
        Append(destination, ref length, "GET "u8);
        var target = WriteTarget(destination[length..], out info);
        if (target <= 0)
        {
            return 0;
        }

        length += target;
        Append(destination, ref length, " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ServerlessTracker.Bench/1.0\r\nAccept-Encoding: gzip\r\n"u8);
        if (connectionClose)
        {
            Append(destination, ref length, "Connection: close\r\n"u8);
        }

        Append(destination, ref length, "\r\n"u8);
        digest.Append(destination[..length]);
        Issued++;
        if (Issued % CheckpointInterval == 0)
        {
            checkpoints.Add(digest.GetCurrentHashAsUInt64());
        }

        return length;
    }

    /// <summary>Writes the request target (path and query); returns its length, or 0 when the stream is finished.</summary>
    protected abstract int WriteTarget(Span<byte> destination, out RequestInfo info);

    protected static void Append(Span<byte> destination, ref int length, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[length..]);
        length += bytes.Length;
    }
}
