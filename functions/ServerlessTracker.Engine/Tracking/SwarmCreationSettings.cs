using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>How many swarms one address may create (configuration section <c>Tracker:SwarmCreation</c>): an announce naming
/// an info-hash no swarm has creates one, and each costs the operator a partition, registry rows and purge visits.</summary>
/// <remarks>A token bucket per address (IPv6 per prefix): <see cref="PerAddress"/> at once, earned back evenly over
/// <see cref="WindowSeconds"/>. Over it, the announce is refused with <c>retry in</c> (when a token is back); announces of
/// swarms that exist, stops and scrapes are never charged. Both protocols, every store.</remarks>
public sealed class SwarmCreationSettings
{
    public const string Section = "Tracker:SwarmCreation";

    /// <summary>Swarms one address may create per <see cref="WindowSeconds"/>. Swarms. Default 1,000: a client starting
    /// with a thousand torrents nobody else announced gets them all at once, and a sustained creator is held to about one
    /// swarm every 3.6 s instead of the 20 a second its request budget allows. 0: no cap.</summary>
    [Range(0, 10_000_000)]
    public int PerAddress { get; set; } = 1000;

    /// <summary>The window over which <see cref="PerAddress"/> is earned back. Seconds. Default 3600.</summary>
    [Range(1, 7 * 86400)]
    public int WindowSeconds { get; set; } = 3600;

    /// <summary>IPv6 addresses sharing this many leading bits share a budget (a customer gets a /64 or more). Bits. Default 64.</summary>
    [Range(1, 128)]
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>Addresses tracked at once, in a fixed table (48 bytes each, 3 MB by default); an address pushed out starts again with a
    /// full budget. Default 65536.</summary>
    [Range(64, 16_777_216)]
    public int Addresses { get; set; } = 65536;
}
