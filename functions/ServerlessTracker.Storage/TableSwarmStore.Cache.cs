using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Swarms;
using ServerlessTracker.Storage.Caching;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Schema;
using ServerlessTracker.Storage.Writes;

namespace ServerlessTracker.Storage;

/// <summary>The cache side of the store: refresh, applying announces, recounts of large swarms, eviction.</summary>
public sealed partial class TableSwarmStore
{
    private const long SweepIntervalMs = 30_000;

    private ValueTask EnsureFreshAsync(SwarmEntry entry)
    {
        var now = NowMs();
        TaskCompletionSource? owned = null;
        Task wait;
        lock (entry.Gate)
        {
            entry.LastUsedMs = now;
            if (entry.Loaded && now - entry.LoadedAtMs < _options.CacheStalenessMilliseconds)
            {
                Metrics.CacheHit();
                return ValueTask.CompletedTask;
            }

            if (entry.LoadedAtMs == 0 && entry.Refreshing is null && _directory.IsTrusted(refresh: false) && !_directory.Contains(entry.Hash))
            {
                // A swarm nobody has (a new one, as far as the registry's directory knows): taken as empty without a read,
                // as a swarm another instance started within the staleness would be.
                Metrics.UnknownHash();
                entry.Swarm = new Swarm();
                entry.Partial = false;
                entry.Exists = false;
                entry.Loaded = true;
                entry.LoadedAtMs = now;
                Account(entry, SwarmEntryBytes + entry.Swarm.ApproximateBytes);
                return ValueTask.CompletedTask;
            }

            if (entry.Refreshing is null)
            {
                owned = entry.Refreshing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            wait = entry.Refreshing.Task;
        }

        Metrics.CacheMiss();
        if (owned is not null)
        {
            _ = RefreshAsync(entry, owned);
        }

        return new ValueTask(wait);
    }

    private async Task RefreshAsync(SwarmEntry entry, TaskCompletionSource done)
    {
        try
        {
            bool knownLarge;
            string? ownDelta;
            int windowPoint;
            lock (entry.Gate)
            {
                knownLarge = entry.Partial;
                ownDelta = entry.DeltaRowKey;
                windowPoint = entry.Random.Next(0x10000);
            }

            await InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            var now = UnixTime.Now(_time);
            var snapshot = await _loader.LoadAsync(entry.PartitionKey, knownLarge, now, _settings.PeerTtlSeconds, ownDelta, windowPoint).ConfigureAwait(false);
            var recountInBackground = false;
            if (snapshot.Partial && !snapshot.Counted)
            {
                // Never counted: every answer needs a count, so this one refresh pays for it.
                var (seeders, leechers) = await RecountAsync(entry.PartitionKey, now).ConfigureAwait(false);
                snapshot.Seeders = seeders;
                snapshot.Leechers = leechers;
            }
            else if (snapshot.Partial && snapshot.CountedAt < now - _options.LargeSwarmRecountSeconds)
            {
                recountInBackground = true;
            }

            lock (entry.Gate)
            {
                // Rows this instance wrote are gone (an admin drop or a retirement emptied the partition): forget what it
                // committed, or the next write would put old counts back. A false alarm (a first write still in flight)
                // only starts a new delta row; the old one is still summed.
                var ownDeltaGone = ownDelta is not null && ownDelta == entry.DeltaRowKey && !snapshot.OwnDeltaFound && entry.DeltaCommitted > 0;
                if (ownDeltaGone || (entry.Exists && !snapshot.Exists))
                {
                    entry.WriterReset = true;
                }

                if (snapshot.Exists)
                {
                    _directory.Add(entry.Hash);
                }
                else if (!entry.Exists)
                {
                    // Read empty: a hash the directory still held (a retired swarm) is forgotten, the negative cache.
                    _directory.Forget(entry.Hash);
                }

                var own = ownDelta is not null && ownDelta == entry.DeltaRowKey && !entry.WriterReset ? Math.Max(snapshot.OwnDownloaded, entry.DeltaCommitted) : snapshot.OwnDownloaded;
                snapshot.Swarm.Downloaded = snapshot.OthersDownloaded + own;
                entry.Swarm = snapshot.Swarm;
                entry.Partial = snapshot.Partial;
                entry.Exists = snapshot.Exists;
                entry.SummarySeeders = snapshot.Seeders;
                entry.SummaryLeechers = snapshot.Leechers;
                entry.Loaded = true;
                entry.LoadedAtMs = NowMs();
                entry.Refreshing = null;
                Account(entry, SwarmEntryBytes + snapshot.Swarm.ApproximateBytes);
                if (recountInBackground && !entry.Recounting)
                {
                    entry.Recounting = true;
                }
                else
                {
                    recountInBackground = false;
                }
            }

            done.SetResult();
            if (recountInBackground)
            {
                _ = ClaimAndRecountAsync(entry, snapshot.SummaryETag, now);
            }
        }
        catch (Exception exception)
        {
            lock (entry.Gate)
            {
                entry.Refreshing = null;
            }

            done.SetException(exception);
        }
    }

    /// <summary>How an announce is checked against the partition before it is applied.</summary>
    private enum PeerCheck : byte
    {
        /// <summary>The cache decides.</summary>
        None,

        /// <summary>Read the peer's row first (a point read).</summary>
        Read,

        /// <summary>A new session of a peer a large swarm's window lacks: apply it as a new peer and insert its row
        /// (<c>Add</c>), which fails if the row exists; then the row is read and the announce judged again.</summary>
        InsertOnly,
    }

    /// <summary>Applies the announce to the cached swarm and queues its row change; null when nothing is to be stored.</summary>
    /// <param name="stored">The peer's row as read just before (<see cref="CheckFor"/>), or null when not read.</param>
    /// <param name="insertOnly">Store a new peer only if its row does not exist (<see cref="PeerCheck.InsertOnly"/>); the
    /// unverified peer is kept out of the cache meanwhile, so no other announce is judged against it.</param>
    private PendingWrite? Apply(SwarmEntry entry, in AnnounceCommand command, StoredPeer? stored, bool insertOnly, AnnounceResult result, out bool startFlush)
    {
        startFlush = false;
        var now = UnixTime.Now(_time);
        lock (entry.Gate)
        {
            if (stored is { } read)
            {
                // Under the lock, on the swarm as it is now (a refresh may have replaced the one the read was for).
                entry.Swarm.Learn(read, UnixTime.Before(now, _settings.PeerTtlSeconds), _settings.RememberStops);
            }

            // A window of a large swarm is held to the cap by the swarm's counted size.
            entry.Swarm.Announce(command, now, _settings, entry.Random, result, entry.Partial ? entry.Counts.Peers : -1);
            if (result.Status != AnnounceStatus.Ok)
            {
                return null;
            }

            TableEntity row;
            var rowKey = SwarmRows.PeerRowKey(command.PeerId);
            if (result.Change == PeerChange.Removed)
            {
                // Only a stop the swarm verified (it held the peer, from the cache or the row just read) leaves a tombstone.
                row = SwarmRows.Tombstone(entry.PartitionKey, rowKey, now, Departed(command));
            }
            else if (result.Change is PeerChange.Added or PeerChange.Updated && entry.Swarm.TryGet(command.PeerId, out var peer, out var seeder))
            {
                row = SwarmRows.PeerEntity(entry.PartitionKey, rowKey, peer, seeder);
                MarkExists(entry);
            }
            else
            {
                result.Counts = entry.Counts;
                return null;
            }

            result.Counts = entry.Counts;
            var insert = insertOnly && result.Change == PeerChange.Added;
            if (insert)
            {
                entry.Swarm.Remove(command.PeerId);
            }

            if (result.Change == PeerChange.Added)
            {
                Account(entry, SwarmEntryBytes + entry.Swarm.ApproximateBytes);
            }

            var write = new PendingWrite(row, result.CountedCompletion, insertOnly: insert);
            startFlush = GroupCommitter.Enqueue(entry, write);
            return write;
        }
    }

    /// <summary>How the announce is checked against the partition when the cache lacks the peer: the announce is judged
    /// by what is stored — a stop (never a tombstone for a stop nobody verified), any announce in a large swarm's window
    /// (the key rule), an accounted one that does not start a session (its delta), a completion (counted once per peer;
    /// also when the cache holds the peer uncounted). In a window a <c>started</c> (mostly a new peer id: a flash crowd)
    /// is inserted instead of read first. A whole partition's fresh cache is taken as the partition otherwise: it misses
    /// only peers stored by another instance since its refresh.</summary>
    private static PeerCheck CheckFor(SwarmEntry entry, in AnnounceCommand command)
    {
        lock (entry.Gate)
        {
            var cached = entry.Swarm.TryGet(command.PeerId, out var peer, out _);
            if (command.Event == PeerEvent.Completed)
            {
                return !cached || (peer.Flags & PeerFlags.CountedComplete) == 0 ? PeerCheck.Read : PeerCheck.None;
            }

            if (cached || !entry.Exists)
            {
                return PeerCheck.None;
            }

            if (command.Event == PeerEvent.Stopped)
            {
                return PeerCheck.Read;
            }

            if (entry.Partial)
            {
                // A stop the window holds means the row exists (a tombstone): read it rather than fail an insert.
                return command.Event == PeerEvent.Started && !entry.Swarm.TryGetStop(command.PeerId, out _) ? PeerCheck.InsertOnly : PeerCheck.Read;
            }

            return command.Accounted && command.Event != PeerEvent.Started ? PeerCheck.Read : PeerCheck.None;
        }
    }

    /// <summary>Reads the row of a peer the cache lacks (a point read).</summary>
    private async Task<StoredPeer?> ReadPeerAsync(SwarmEntry entry, PeerId id)
    {
        Metrics.PeerRead();
        return await _loader.ReadStoredPeerAsync(entry.PartitionKey, SwarmRows.PeerRowKey(id)).ConfigureAwait(false);
    }

    /// <summary>The peer as its stop leaves it in the tombstone: where it was and its session's counters.</summary>
    private static PeerRecord Departed(in AnnounceCommand command) => new()
    {
        Id = command.PeerId,
        Address = command.Address,
        Port = command.Port,
        Key = command.HasKey ? command.Key : 0,
        Flags = command.HasKey ? PeerFlags.HasKey : PeerFlags.None,
        Uploaded = command.Uploaded,
        Downloaded = command.Downloaded,
    };

    private async Task<(long Seeders, long Leechers)> RecountAsync(string partitionKey, uint now)
    {
        var counts = await _loader.CountAsync(partitionKey, UnixTime.Before(now, _settings.PeerTtlSeconds)).ConfigureAwait(false);
        var summary = new TableEntity(partitionKey, SwarmRows.Summary)
        {
            [SwarmRows.Seeders] = counts.Seeders,
            [SwarmRows.Leechers] = counts.Leechers,
            [SwarmRows.CountedAt] = (long)now,
        };
        await _resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            await s._swarms.UpsertEntityAsync(s.summary, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            return true;
        }, (_swarms, summary), CancellationToken.None).ConfigureAwait(false);
        return counts;
    }

    /// <summary>Recounts a large swarm when this instance wins the claim on its summary row (an ETag-guarded write),
    /// so that one instance, not every one, pays for the count.</summary>
    private async Task ClaimAndRecountAsync(SwarmEntry entry, ETag? summaryETag, uint now)
    {
        try
        {
            var claim = new TableEntity(entry.PartitionKey, SwarmRows.Summary) { [SwarmRows.CountedAt] = (long)now };
            await _resilience.ExecuteBackgroundAsync(static async (s, ct) =>
            {
                if (s.summaryETag is { } etag)
                {
                    await s._swarms.UpdateEntityAsync(s.claim, etag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                }
                else
                {
                    await s._swarms.AddEntityAsync(s.claim, ct).ConfigureAwait(false);
                }

                return true;
            }, (_swarms, claim, summaryETag), CancellationToken.None).ConfigureAwait(false);

            var (seeders, leechers) = await RecountAsync(entry.PartitionKey, now).ConfigureAwait(false);
            lock (entry.Gate)
            {
                entry.SummarySeeders = seeders;
                entry.SummaryLeechers = leechers;
            }
        }
        catch (RequestFailedException conflict) when (conflict.Status is 409 or 412)
        {
            // Another instance claimed this recount.
        }
        catch (Exception exception)
        {
            LogRecountFailed(_logger, entry.PartitionKey, exception.Message);
        }
        finally
        {
            lock (entry.Gate)
            {
                entry.Recounting = false;
            }
        }
    }

    /// <summary>The swarm is getting rows: a partition that was empty is one this instance creates (journaled with its index
    /// rows) and the directory knows it from now on. Call with the entry's Gate held.</summary>
    private void MarkExists(SwarmEntry entry)
    {
        if (!entry.Exists)
        {
            entry.Created = true;
            _directory.Add(entry.Hash);
        }

        entry.Exists = true;
    }

    private void SweepIfDue()
    {
        var now = NowMs();
        var last = Interlocked.Read(ref _lastSweepMs);
        if (now - last < SweepIntervalMs || Interlocked.CompareExchange(ref _lastSweepMs, now, last) != last)
        {
            return;
        }

        _ = Task.Run(() => Sweep(now - (_options.CacheIdleSeconds * 1000L)));
    }

    private void Sweep(long idleBefore)
    {
        foreach (var pair in _cache)
        {
            if (Volatile.Read(ref pair.Value.LastUsedMs) < idleBefore)
            {
                TryRemoveIdle(pair.Value, idleBefore);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrape degraded: storage failed ({Reason}); counts read before are served, other swarms are refused with retry in")]
    private static partial void LogScrapeDegraded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recount of swarm {Partition} failed: {Reason}")]
    private static partial void LogRecountFailed(ILogger logger, string partition, string reason);
}
