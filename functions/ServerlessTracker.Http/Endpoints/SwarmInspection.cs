using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Sync.Publishing;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Finds the store that can inspect and drop swarms beneath the decorators wrapped around it (sync's publisher).</summary>
public static class SwarmInspection
{
    public static ISwarmInspector? Find(ISwarmStore store)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            switch (store)
            {
                case ISwarmInspector inspector:
                    return inspector;
                case ReplicatingSwarmStore replicating:
                    store = replicating.Inner;
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The innermost store: what actually holds the swarms.</summary>
    public static ISwarmStore Innermost(ISwarmStore store)
    {
        while (store is ReplicatingSwarmStore replicating)
        {
            store = replicating.Inner;
        }

        return store;
    }
}
