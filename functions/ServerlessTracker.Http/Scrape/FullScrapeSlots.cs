using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Scrape;

/// <summary>At most <see cref="HttpTrackerOptions.FullScrapeMaxConcurrent"/> full scrapes in flight per instance, from the
/// decision to serve one until its last byte was handed to the transport (or the client went away).</summary>
/// <remarks>A full scrape is the one answer whose size grows with the tracker (every swarm): the snapshot is shared, but each
/// answer in flight still holds a connection, a send buffer's worth of kernel memory and a share of the uplink. Beyond the
/// limit a client is refused with <c>failure reason</c> + <c>retry in</c> at once, before anything is built or sent.</remarks>
public sealed class FullScrapeSlots(IOptions<HttpTrackerOptions> options)
{
    private readonly int _max = options.Value.FullScrapeMaxConcurrent;
    private int _taken;

    /// <summary>Full scrapes in flight now.</summary>
    public int InUse => Volatile.Read(ref _taken);

    /// <summary>A slot (dispose it once the answer is sent), or null when all are taken.</summary>
    public IDisposable? TryEnter()
    {
        if (Interlocked.Increment(ref _taken) > _max)
        {
            Interlocked.Decrement(ref _taken);
            return null;
        }

        return new Slot(this);
    }

    private sealed class Slot(FullScrapeSlots owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._taken);
            }
        }
    }
}
