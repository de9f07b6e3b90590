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

    /// <summary>The swarm's cache entry, marked in use until <see cref="Release"/>: eviction and the idle sweep leave it in
    /// the cache meanwhile, so a write is never queued on an entry the cache no longer holds.</summary>
    private SwarmEntry Acquire(InfoHash hash)
    {
        while (true)
        {
            var entry = Entry(hash);
            lock (entry.Gate)
            {
                if (!entry.Evicted)
                {
                    entry.Users++;
                    return entry;
                }
            }
        }
    }

    private static void Release(SwarmEntry entry)
    {
        lock (entry.Gate)
        {
            entry.Users--;
        }
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

    /// <summary>Takes the entry out of the cache and its totals; false when it is no longer in it. Call with the entry's
    /// Gate held, so that nothing starts using it between the caller's checks and its removal.</summary>
    private bool RemoveLocked(SwarmEntry entry)
    {
        if (entry.Evicted || !_cache.TryRemove(new KeyValuePair<InfoHash, SwarmEntry>(entry.Hash, entry)))
        {
            return false;
        }

        entry.Evicted = true;
        Interlocked.Decrement(ref _cachedSwarms);
        Interlocked.Add(ref _cachedBytes, -entry.Bytes);
        entry.Bytes = 0;
        return true;
    }

    /// <summary>Drops an entry last used before <paramref name="usedBefore"/> that nothing is using.</summary>
    private bool TryRemoveIdle(SwarmEntry entry, long usedBefore)
    {
        lock (entry.Gate)
        {
            return entry.LastUsedMs < usedBefore && entry.Users == 0 && !entry.Flushing && entry.Queue.Count == 0 && entry.Refreshing is null
                && !entry.Recounting && RemoveLocked(entry);
        }
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
