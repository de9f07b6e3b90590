namespace ServerlessTracker.Http.FastPath;

/// <summary>What the fast path does with the bytes at the start of a connection's input.</summary>
public enum HeadStatus : byte
{
    /// <summary>So far a plausible tracker request: wait for more bytes.</summary>
    Incomplete,

    /// <summary>A complete tracker request head the fast path serves.</summary>
    Ready,

    /// <summary>Anything else: Kestrel's HTTP pipeline gets the bytes untouched.</summary>
    HandOff,
}

/// <summary>The tracker endpoint a request names.</summary>
public enum TrackerEndpoint : byte
{
    Announce,
    Scrape,
}

/// <summary>A parsed request head: offsets into the bytes it was parsed from, so it survives an await.</summary>
public struct RequestHead
{
    /// <summary>Bytes of the request line, the header lines and the blank line; a served request has no body.</summary>
    public int Length;

    public TrackerEndpoint Endpoint;

    /// <summary>The raw query, its <c>?</c> included (empty when there is none).</summary>
    public int QueryStart;

    public int QueryLength;

    /// <summary>The path segment after the endpoint (<c>/announce/{passkey}</c>); empty when there is none.</summary>
    public int PasskeyStart;

    public int PasskeyLength;

    /// <summary>The connection stays open after the answer (HTTP/1.1 without <c>Connection: close</c>, or HTTP/1.0 with <c>keep-alive</c>).</summary>
    public bool KeepAlive;

    /// <summary>An HTTP/1.0 request: a kept-alive answer says <c>Connection: keep-alive</c>, as Kestrel's does.</summary>
    public bool Http10;
}

/// <summary>Kestrel's request limits as the fast path applies them (never more lenient than Kestrel).</summary>
public readonly record struct HeadLimits(int MaxRequestLine, int MaxHeadersTotal, int MaxHeaderCount)
{
    /// <summary>The most bytes a head can take: longer input is never a head the fast path serves.</summary>
    public int MaxHeadLength => MaxRequestLine + MaxHeadersTotal;
}
