namespace ServerlessTracker.Http.Core;

/// <summary>A value built on demand and rebuilt once stale, by one caller at a time: the others get the current value
/// or wait for the rebuild, so an expensive figure (a full scrape, the stats page) is never built twice at once.</summary>
public sealed class RebuiltValue<T>(Func<T, bool> isStale)
    where T : class
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile T? _current;

    /// <summary>The last value built, or null before the first.</summary>
    public T? Current => _current;

    /// <summary>The current value, after rebuilding it with <paramref name="build"/> (given the previous one) when stale or missing.</summary>
    public async ValueTask<T> GetAsync(Func<T?, CancellationToken, Task<T>> build, CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && !isStale(current))
        {
            return current;
        }

        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (current is null || isStale(current))
            {
                current = await build(current, cancellationToken);
                _current = current;
            }

            return current;
        }
        finally
        {
            _rebuild.Release();
        }
    }
}
