namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The host's retry around the forward to the worker (host <c>RetryProxyHandler</c>): up to 10 attempts on
/// <see cref="HttpRequestException"/> only (the worker's Kestrel not accepting yet, a reset pooled connection),
/// waiting 50 ms more each time up to 250 ms. A worker answering 500 is not retried.
/// </summary>
internal sealed class RetryProxyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public const int MaxAttempts = 10;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 250)), cancellationToken);
            }
        }
    }
}
