namespace ServerlessTracker.Protocol.Http;

/// <summary>Why an HTTP tracker request was refused; each maps to one fixed <c>failure reason</c> text.</summary>
public enum HttpTrackerError : byte
{
    None = 0,
    MissingInfoHash,
    InvalidInfoHash,
    DuplicateInfoHash,
    MissingPeerId,
    InvalidPeerId,
    MissingPort,
    InvalidPort,
    MissingLeft,
    InvalidNumber,
    InvalidEvent,
    InvalidNumWant,
    InvalidAddress,
    InvalidEncoding,
    QueryTooLong,
    TooManyInfoHashes,
    MethodNotAllowed,
    NotFound,
}

/// <summary>The fixed, human-readable texts sent as <c>failure reason</c>.</summary>
public static class HttpTrackerErrors
{
    public static ReadOnlySpan<byte> Reason(HttpTrackerError error) => error switch
    {
        HttpTrackerError.MissingInfoHash => "missing info_hash"u8,
        HttpTrackerError.InvalidInfoHash => "invalid info_hash: must be 20 bytes, percent-encoded"u8,
        HttpTrackerError.DuplicateInfoHash => "info_hash given more than once"u8,
        HttpTrackerError.MissingPeerId => "missing peer_id"u8,
        HttpTrackerError.InvalidPeerId => "invalid peer_id: must be 20 bytes, percent-encoded"u8,
        HttpTrackerError.MissingPort => "missing port"u8,
        HttpTrackerError.InvalidPort => "invalid port: must be 1-65535"u8,
        HttpTrackerError.MissingLeft => "missing left"u8,
        HttpTrackerError.InvalidNumber => "invalid uploaded, downloaded or left: must be a non-negative integer"u8,
        HttpTrackerError.InvalidEvent => "invalid event: must be started, completed, stopped, paused or empty"u8,
        HttpTrackerError.InvalidNumWant => "invalid numwant: must be an integer"u8,
        HttpTrackerError.InvalidAddress => "invalid ip, ipv4 or ipv6"u8,
        HttpTrackerError.InvalidEncoding => "invalid percent-encoding in query"u8,
        HttpTrackerError.QueryTooLong => "query string too long"u8,
        HttpTrackerError.TooManyInfoHashes => "too many info_hash values in one scrape"u8,
        HttpTrackerError.MethodNotAllowed => "method not allowed: use GET"u8,
        HttpTrackerError.NotFound => "unknown tracker path"u8,
        _ => "bad request"u8,
    };
}
