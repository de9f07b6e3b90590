using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>The scrape use case, written once for every front door: who may scrape, the counts the store holds, and
/// torrents the tracker does not serve reported as zeros. The HTTP full scrape (no hash named) is HTTP's own answer after
/// <see cref="Authorize"/>.</summary>
public sealed class ScrapeUseCase(ISwarmStore store, AnnouncePolicy policy, TrackerMetrics metrics)
{
    public AnnouncePolicy Policy => policy;

    /// <summary>Counts a scrape the front door could not parse before authorizing it; nothing is read.</summary>
    public void CountBadRequest(TrackerProtocol protocol, ClientFamily family)
    {
        metrics.Scrape(protocol, family);
        metrics.Failure(protocol, FailureReason.BadRequest, family);
    }

    /// <summary>Counts a full scrape <see cref="Authorize"/> let through and the front door refused for want of a free slot.</summary>
    public void CountBusy(TrackerProtocol protocol, ClientFamily family) => metrics.Failure(protocol, FailureReason.Busy, family);

    /// <summary>Counts a scrape that <see cref="Authorize"/> let through and the front door then found malformed.</summary>
    public void CountMalformed(TrackerProtocol protocol, ClientFamily family) => metrics.Failure(protocol, FailureReason.BadRequest, family);

    /// <summary>Counts the scrape and decides whether this client may scrape at all (private mode, IP allow-list).</summary>
    /// <param name="family">How the front door saw the client (<see cref="ClientFamilies"/>).</param>
    /// <param name="passkey">The passkey as sent (ASCII bytes); empty when none.</param>
    public PolicyDecision Authorize(TrackerProtocol protocol, ClientFamily family, ReadOnlySpan<byte> passkey, PeerAddress client)
    {
        metrics.Scrape(protocol, family);
        if (passkey.IsEmpty && !policy.PrivateMode.Enabled && !policy.Access.IpAllowListEnabled)
        {
            return PolicyDecision.Allow(null);
        }

        var decision = policy.CheckScrape(passkey, client);
        if (!decision.IsAllowed)
        {
            metrics.Failure(protocol, (FailureReason)decision.Verdict, family);
        }

        return decision;
    }

    /// <summary>Fills <paramref name="counts"/> for <paramref name="hashes"/> (same length) after <see cref="Authorize"/> allowed it.</summary>
    /// <remarks>Every named hash is a lookup the store answers from memory when no swarm has it
    /// (<see cref="ISwarmStore.MayHold"/>): a scrape of hashes nobody announced costs no storage read. The front door knows
    /// how many hashes a scrape names before it calls this (<c>ScrapeRequestParser.CountInfoHashes</c> over HTTP, the
    /// datagram's length over UDP), should it charge them to a budget.</remarks>
    public ValueTask<ScrapeStatus> ScrapeAsync(TrackerProtocol protocol, ClientFamily family, ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken)
    {
        metrics.ScrapeHashes(protocol, hashes.Length);
        var scraped = store.ScrapeAsync(hashes, counts, cancellationToken);
        return scraped.IsCompletedSuccessfully
            ? new(Conclude(protocol, family, scraped.GetAwaiter().GetResult(), hashes.Span, counts.Span))
            : ConcludeLaterAsync(scraped, protocol, family, hashes, counts);
    }

    private async ValueTask<ScrapeStatus> ConcludeLaterAsync(ValueTask<ScrapeStatus> scraped, TrackerProtocol protocol, ClientFamily family, ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts) =>
        Conclude(protocol, family, await scraped.ConfigureAwait(false), hashes.Span, counts.Span);

    private ScrapeStatus Conclude(TrackerProtocol protocol, ClientFamily family, ScrapeStatus status, ReadOnlySpan<InfoHash> hashes, Span<SwarmCounts> counts)
    {
        if (status == ScrapeStatus.StoreUnavailable)
        {
            metrics.Failure(protocol, FailureReason.StoreUnavailable, family);
            return status;
        }

        // Torrents the tracker does not serve (deny list, allow-list-only mode) are reported as zeros.
        for (var i = 0; i < hashes.Length; i++)
        {
            if (!policy.IsServed(hashes[i]))
            {
                counts[i] = default;
            }
        }

        return status;
    }
}
