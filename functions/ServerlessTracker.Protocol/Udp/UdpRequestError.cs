namespace ServerlessTracker.Protocol.Udp;

/// <summary>Why a UDP request was refused; each maps to one fixed, short error message.</summary>
public enum UdpRequestError : byte
{
    None = 0,
    BadConnectionId,
    UnknownAction,
    TooShort,
    InvalidEvent,
    InvalidPort,
    NoInfoHash,
    UrlDataTooLong,
    KeyMismatch,
    TryAgainLater,
    Refused,

    /// <summary>The sender's address is over its request budget.</summary>
    SlowDown,

    /// <summary>A negative <c>uploaded</c> or <c>downloaded</c>: no byte count (int64 on the wire).</summary>
    InvalidCounter,

    /// <summary>The sender's address created its share of new swarms.</summary>
    TooManyNewSwarms,

    /// <summary>A new peer of a swarm that holds its most peers.</summary>
    SwarmFull,

    /// <summary>A new peer of a passkey that has its most peers in the swarm.</summary>
    PasskeyPeerLimit,
}

/// <summary>The fixed ASCII texts sent in error packets.</summary>
/// <remarks>
/// Kept at most 20 bytes, so an error packet (8 + text) never outgrows the smallest request that can
/// earn one (a 36-byte scrape of one hash), which is what lets the relay answer an unverified
/// address without amplification.
/// </remarks>
public static class UdpRequestErrors
{
    public const int MaxMessageLength = 20;

    public static ReadOnlySpan<byte> Message(UdpRequestError error) => error switch
    {
        UdpRequestError.BadConnectionId => "bad connection id"u8,
        UdpRequestError.UnknownAction => "unknown action"u8,
        UdpRequestError.TooShort => "packet too short"u8,
        UdpRequestError.InvalidEvent => "invalid event"u8,
        UdpRequestError.InvalidPort => "invalid port"u8,
        UdpRequestError.NoInfoHash => "no info_hash"u8,
        UdpRequestError.UrlDataTooLong => "url data too long"u8,
        UdpRequestError.KeyMismatch => "key mismatch"u8,
        UdpRequestError.TryAgainLater => "try again later"u8,
        UdpRequestError.SlowDown => "slow down"u8,
        UdpRequestError.InvalidCounter => "invalid counter"u8,
        UdpRequestError.TooManyNewSwarms => "too many new swarms"u8,
        UdpRequestError.SwarmFull => "swarm is full"u8,
        UdpRequestError.PasskeyPeerLimit => "passkey peer limit"u8,
        _ => "refused"u8,
    };
}
