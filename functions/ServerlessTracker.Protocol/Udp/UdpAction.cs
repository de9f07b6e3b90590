namespace ServerlessTracker.Protocol.Udp;

/// <summary>The action field of a BEP 15 packet: the first big-endian 32-bit word after the header's id.</summary>
public enum UdpAction : uint
{
    Connect = 0,
    Announce = 1,
    Scrape = 2,
    Error = 3,
}
