namespace ServerlessTracker.Protocol.Http;

/// <summary>What an HTTP announce answers, as compact binary: the engine's result in wire-neutral form.</summary>
public ref struct AnnounceResponse
{
    public int Interval;
    public int MinInterval;
    public long Complete;
    public long Incomplete;
    public long Downloaded;

    /// <summary>IPv4 peers, 6 bytes each: address then port, big-endian (BEP 23).</summary>
    public ReadOnlySpan<byte> Peers4;

    /// <summary>IPv6 peers, 18 bytes each (BEP 7).</summary>
    public ReadOnlySpan<byte> Peers6;

    /// <summary>Ids of the IPv4 peers, 20 bytes each, in the same order: used only by the dictionary model.</summary>
    public ReadOnlySpan<byte> PeerIds4;

    /// <summary>Ids of the IPv6 peers, 20 bytes each, in the same order.</summary>
    public ReadOnlySpan<byte> PeerIds6;

    /// <summary>The requester's address as seen by the tracker, 4 or 16 bytes (BEP 24); empty to omit.</summary>
    public ReadOnlySpan<byte> ExternalIp;

    public bool Compact;
    public bool NoPeerId;

    /// <summary>Optional <c>warning message</c> text (UTF-8); empty to omit.</summary>
    public ReadOnlySpan<byte> WarningMessage;
}
