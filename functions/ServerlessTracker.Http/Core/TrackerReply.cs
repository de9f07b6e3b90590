namespace ServerlessTracker.Http.Core;

/// <summary>What a transport must say about a bencoded body besides its bytes (always HTTP 200, <c>text/plain</c>).</summary>
[Flags]
public enum TrackerReply : byte
{
    /// <summary>A plain body.</summary>
    Plain = 0,

    /// <summary>The body is gzip-compressed: send <c>Content-Encoding: gzip</c>.</summary>
    Gzip = 1,

    /// <summary>The body depends on <c>Accept-Encoding</c> (a full scrape): send <c>Vary: Accept-Encoding</c>.</summary>
    VaryByEncoding = 2,
}
