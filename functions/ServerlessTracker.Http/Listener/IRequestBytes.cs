namespace ServerlessTracker.Http.Listener;

/// <summary>Reads the request head a listener connection received (its <c>Accept-Encoding</c> for a full scrape).</summary>
internal interface IRequestBytes
{
    ReadOnlySpan<byte> Head { get; }
}
