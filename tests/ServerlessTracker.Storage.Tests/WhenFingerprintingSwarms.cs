using ServerlessTracker.Storage.Caching;

namespace ServerlessTracker.Storage.Tests;

/// <summary>The swarm directory's set of fingerprints: what was added is found, what was removed is not, through growth.</summary>
public sealed class WhenFingerprintingSwarms
{
    [Fact]
    public void AddedFingerprintsAreFoundAndRemovedOnesAreNotThroughGrowth()
    {
        var set = new FingerprintSet();
        var random = new Random(3);
        var added = Enumerable.Range(0, 20_000).Select(_ => (ulong)random.NextInt64()).Append(0UL).Append(1UL).Distinct().ToList();
        foreach (var fingerprint in added)
        {
            Assert.True(set.Add(fingerprint));
        }

        Assert.False(set.Add(added[5]));
        Assert.Equal(added.Count, set.Count);
        Assert.All(added, f => Assert.True(set.Contains(f)));

        foreach (var fingerprint in added.Where((_, i) => i % 2 == 0))
        {
            Assert.True(set.Remove(fingerprint));
        }

        Assert.All(added.Select((f, i) => (f, i)), p => Assert.Equal(p.i % 2 == 1, set.Contains(p.f)));
        Assert.False(set.Remove(added[0]));
        Assert.True(set.Bytes <= 65_536 * 8, $"{set.Bytes} bytes for {set.Count} fingerprints");
        Assert.False(set.Contains(12345));
    }
}
