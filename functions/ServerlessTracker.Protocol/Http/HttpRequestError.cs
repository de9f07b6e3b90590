namespace ServerlessTracker.Protocol.Http;

/// <summary>Why an HTTP tracker request was refused; each maps to one fixed <c>failure reason</c> text.</summary>
public enum HttpRequestError : byte
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
public static class HttpRequestErrors
{
    public static ReadOnlySpan<byte> Reason(HttpRequestError error) => error switch
    {
        HttpRequestError.MissingInfoHash => "missing info_hash"u8,
        HttpRequestError.InvalidInfoHash => "invalid info_hash: must be 20 bytes, percent-encoded"u8,
        HttpRequestError.DuplicateInfoHash => "info_hash given more than once"u8,
        HttpRequestError.MissingPeerId => "missing peer_id"u8,
        HttpRequestError.InvalidPeerId => "invalid peer_id: must be 20 bytes, percent-encoded"u8,
        HttpRequestError.MissingPort => "missing port"u8,
        HttpRequestError.InvalidPort => "invalid port: must be 1-65535"u8,
        HttpRequestError.MissingLeft => "missing left"u8,
        HttpRequestError.InvalidNumber => "invalid uploaded, downloaded or left: must be a non-negative integer"u8,
        HttpRequestError.InvalidEvent => "invalid event: must be started, completed, stopped, paused or empty"u8,
        HttpRequestError.InvalidNumWant => "invalid numwant: must be an integer"u8,
        HttpRequestError.InvalidAddress => "invalid ip, ipv4 or ipv6"u8,
        HttpRequestError.InvalidEncoding => "invalid percent-encoding in query"u8,
        HttpRequestError.QueryTooLong => "query string too long"u8,
        HttpRequestError.TooManyInfoHashes => "too many info_hash values in one scrape"u8,
        HttpRequestError.MethodNotAllowed => "method not allowed: use GET"u8,
        HttpRequestError.NotFound => "unknown tracker path"u8,
        _ => "bad request"u8,
    };
}
