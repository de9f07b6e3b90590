namespace ServerlessTracker.Tests.Shared;

/// <summary>What code allocates on the calling thread once warm (linked into every test project that asserts "allocates
/// nothing").</summary>
public static class Allocations
{
    /// <summary>The fewest bytes <paramref name="action"/> allocated on this thread over <paramref name="runs"/> runs.</summary>
    /// <remarks>The runtime itself now and then allocates on whichever thread is running (starting its tiering worker
    /// again after an idle spell, an on-stack replacement in a long loop): a few KB, once, never per call. A quiet run among
    /// three tells what the code under test allocates; code that allocates per call allocates in every run.</remarks>
    public static long Fewest(Action action, int runs = 3)
    {
        var fewest = long.MaxValue;
        for (var run = 0; run < runs && fewest > 0; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
