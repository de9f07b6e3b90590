using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Caching;

namespace ServerlessTracker.Storage;

/// <summary>Cache membership and its bound: entries are added and counted here, at most <see cref="Hosting.TableStoreOptions.CacheMaxSwarms"/> swarms and
/// <see cref="Hosting.TableStoreOptions.CacheMaxBytes"/> of them (estimated: each entry's bookkeeping plus its swarm's
/// <see cref="Engine.Swarms.Swarm.ApproximateBytes"/>, as of its last refresh). Beyond either, one eviction pass at a time
/// drops the least recently used swarms not in use (no write queued or in flight, no refresh or recount) until both are
/// back under nine tenths; a dropped swarm is read again when next asked for. Idle swarms also leave after
/// <see cref="Hosting.TableStoreOptions.CacheIdleSeconds"/>.</summary>
public sealed partial class TableSwarmStore
{
    /// <summary>What a cache entry holds besides its swarm (the entry, its partition key string, lock, queue, map node).</summary>
    private const long SwarmEntryBytes = 640;

    /// <summary>The swarm's cache entry, added (and counted) when missing.</summary>
    private SwarmEntry Entry(InfoHash hash)
    {
        while (true)
        {
            if (_cache.TryGetValue(hash, out var entry))
            {
                return entry;
            }

            var created = new SwarmEntry(hash, RandomFor(hash)) { Bytes = SwarmEntryBytes };
            if (_cache.TryAdd(hash, created))
            {
                Interlocked.Increment(ref _cachedSwarms);
                Interlocked.Add(ref _cachedBytes, SwarmEntryBytes);
                EvictIfOver();
                return created;
            }
        }
    }

    private Random RandomFor(InfoHash hash)
    {
        if (_seed is not { } seed)
        {
            return Random.Shared;
        }

        Span<byte> bytes = stackalloc byte[InfoHash.Length];
        hash.CopyTo(bytes);
        return new Random(seed ^ BitConverter.ToInt32(bytes));
    }

    /// <summary>Sets an entry's estimated size in the cache's total. Call with the entry's Gate held.</summary>
    private void Account(SwarmEntry entry, long bytes)
    {
        if (entry.Evicted)
        {
            return;
        }

        Interlocked.Add(ref _cachedBytes, bytes - entry.Bytes);
        entry.Bytes = bytes;
        EvictIfOver();
    }

    /// <summary>Takes the entry out of the cache and its totals; false when another caller already did.</summary>
    private bool Forget(SwarmEntry entry)
    {
        if (!_cache.TryRemove(new KeyValuePair<InfoHash, SwarmEntry>(entry.Hash, entry)))
        {
            return false;
        }

        lock (entry.Gate)
        {
            entry.Evicted = true;
            Interlocked.Decrement(ref _cachedSwarms);
            Interlocked.Add(ref _cachedBytes, -entry.Bytes);
            entry.Bytes = 0;
        }

        return true;
    }

    /// <summary>Drops an entry last used before <paramref name="usedBefore"/> that nothing is using.</summary>
    private bool TryRemoveIdle(SwarmEntry entry, long usedBefore)
    {
        lock (entry.Gate)
        {
            if (entry.LastUsedMs >= usedBefore || entry.Flushing || entry.Queue.Count > 0 || entry.Refreshing is not null || entry.Recounting)
            {
                return false;
            }
        }

        return Forget(entry);
    }

    private bool OverBound() =>
        Volatile.Read(ref _cachedSwarms) > _options.CacheMaxSwarms || Interlocked.Read(ref _cachedBytes) > _options.CacheMaxBytes;

    private void EvictIfOver()
    {
        if (OverBound() && Interlocked.CompareExchange(ref _evicting, 1, 0) == 0)
        {
            _ = Task.Run(Evict);
        }
    }

    private void Evict()
    {
        try
        {
            var swarms = _options.CacheMaxSwarms * 9L / 10;
            var bytes = _options.CacheMaxBytes * 9 / 10;
            var entries = new List<(long LastUsedMs, SwarmEntry Entry)>(Volatile.Read(ref _cachedSwarms) + 16);
            foreach (var pair in _cache)
            {
                entries.Add((Volatile.Read(ref pair.Value.LastUsedMs), pair.Value));
            }

            entries.Sort(static (a, b) => a.LastUsedMs.CompareTo(b.LastUsedMs));
            foreach (var (lastUsed, entry) in entries)
            {
                if (Volatile.Read(ref _cachedSwarms) <= swarms && Interlocked.Read(ref _cachedBytes) <= bytes)
                {
                    break;
                }

                if (TryRemoveIdle(entry, lastUsed + 1))
                {
                    Metrics.Evicted();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }
}
