using Microsoft.Extensions.ObjectPool;

namespace ServerlessTracker.Http.Core;

/// <summary>Pools <see cref="ResponseBuffer"/>s: reset on return, so the next request starts empty.</summary>
public sealed class ResponseBufferPolicy : PooledObjectPolicy<ResponseBuffer>
{
    public override ResponseBuffer Create() => new();

    public override bool Return(ResponseBuffer obj)
    {
        obj.Reset();
        return true;
    }
}
