using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Caching;
using ServerlessTracker.Storage.Diagnostics;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Purging;
using ServerlessTracker.Storage.Reads;
using ServerlessTracker.Storage.Schema;
using ServerlessTracker.Storage.Writes;

namespace ServerlessTracker.Storage;

/// <summary>Swarms in Azure Table Storage: one partition per info-hash, a per-instance cache with bounded staleness,
/// group commit of concurrent writes, and an index that lets purge visit only swarms that can hold expired peers.</summary>
/// <remarks>
/// An announce is applied by the engine's <see cref="Engine.Swarms.Swarm"/> rules to the cached swarm (refreshed from its
/// partition when older than <see cref="TableStoreOptions.CacheStalenessMilliseconds"/>), then its row change joins the
/// partition's next batch, and the announce is answered only once that batch is durable. Storage faults beyond the
/// retry budget answer <see cref="AnnounceStatus.StoreUnavailable"/>; the cache entry is dropped so the next announce
/// reads the partition again. docs/storage.md describes the schema and the costs.
/// </remarks>
public sealed partial class TableSwarmStore : ISwarmStore, IDisposable
{
    private readonly ConcurrentDictionary<InfoHash, SwarmEntry> _cache = new();
    private readonly TableStoreOptions _options;
    private readonly SwarmSettings _settings;
    private readonly TimeProvider _time;
    private readonly int? _seed;
    private readonly ILogger _logger;
    private readonly StoreResilience _resilience;
    private readonly SwarmLoader _loader;
    private readonly GroupCommitter _committer;
    private readonly SwarmPurger _purger;
    private readonly SwarmDirectory _directory;
    private readonly TableClient _swarms;
    private readonly TableClient _index;
    private readonly SemaphoreSlim _tablesGate = new(1, 1);
    private readonly TimeSpan _budget;
    private volatile bool _tablesReady;
    private long _lastSweepMs;
    private int _cachedSwarms;
    private long _cachedBytes;
    private int _evicting;

    public TableSwarmStore(TableServiceClient service, TableStoreOptions options, SwarmSettings settings, TimeProvider time, StorageMetrics metrics, ILogger<TableSwarmStore>? logger = null, int? seed = null)
    {
        _options = options;
        _settings = settings;
        _time = time;
        _seed = seed;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Metrics = metrics;
        InstanceId = options.InstanceId ?? Guid.NewGuid().ToString("N")[..16];
        _swarms = service.GetTableClient(options.SwarmsTable);
        _index = service.GetTableClient(options.IndexTable);
        _resilience = new StoreResilience(options, _logger) { TableMissing = () => _tablesReady = false };
        _loader = new SwarmLoader(_swarms, options, settings, _resilience);
        _committer = new GroupCommitter(_swarms, _index, options, settings, _resilience, metrics, time, InstanceId, _logger);
        _purger = new SwarmPurger(_swarms, _index, options, settings, _resilience, metrics, time, _logger);
        _lastSweepMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        _budget = TimeSpan.FromMilliseconds(options.RetryBudgetMilliseconds);
        _directory = new SwarmDirectory(new RegistryReader(_index, _resilience), InitializeAsync, options.CacheStalenessMilliseconds, _budget, time, metrics, _logger);
        metrics.Observe(() => Volatile.Read(ref _cachedSwarms), () => Interlocked.Read(ref _cachedBytes), () => _directory.Count);
    }

    /// <summary>Builds the store and its Table clients (with the transaction counter and retry settings) from options.</summary>
    public static TableSwarmStore Create(TableStoreOptions options, SwarmSettings settings, TimeProvider time, StorageMetrics? metrics = null, ILoggerFactory? loggers = null, int? seed = null)
    {
        metrics ??= new StorageMetrics();
        return new TableSwarmStore(TableClients.CreateService(options, metrics), options, settings, time, metrics, loggers?.CreateLogger<TableSwarmStore>(), seed);
    }

    /// <summary>This instance's counters (transactions, batches, cache hits...).</summary>
    public StorageMetrics Metrics { get; }

    /// <summary>This instance's name in its <c>downloaded</c> delta rows.</summary>
    public string InstanceId { get; }

    /// <summary>Swarms held in this instance's cache.</summary>
    public int CachedSwarms => Volatile.Read(ref _cachedSwarms);

    /// <summary>Estimated bytes held by this instance's cache of swarms.</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>Swarms this instance knows exist (its directory of the registry).</summary>
    public int KnownSwarms => _directory.Count;

    /// <summary>Creates the tables when missing (when <see cref="TableStoreOptions.CreateTables"/>); later calls are free.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_tablesReady || !_options.CreateTables)
        {
            _tablesReady = true;
            return;
        }

        await _tablesGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_tablesReady)
            {
                await _resilience.ExecuteAsync(static async (s, ct) =>
                {
                    await TableClients.CreateIfMissingAsync(s._swarms, ct).ConfigureAwait(false);
                    await TableClients.CreateIfMissingAsync(s._index, ct).ConfigureAwait(false);
                    return true;
                }, this, cancellationToken).ConfigureAwait(false);
                _tablesReady = true;
            }
        }
        finally
        {
            _tablesGate.Release();
        }
    }

    /// <summary>From memory: the cached swarm when there is one (absent once read empty, within the staleness), else the
    /// swarm directory while it is trusted; true when neither can tell.</summary>
    public bool MayHold(InfoHash hash)
    {
        if (_cache.TryGetValue(hash, out var entry))
        {
            lock (entry.Gate)
            {
                return !entry.Loaded || entry.Exists || NowMs() - entry.LoadedAtMs >= _options.CacheStalenessMilliseconds;
            }
        }

        if (!_directory.IsTrusted() || _directory.Contains(hash))
        {
            return true;
        }

        Metrics.UnknownHash();
        return false;
    }

    public async ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken)
    {
        Metrics.Announce();
        if (command.Event == PeerEvent.Stopped && !MayHold(command.InfoHash))
        {
            // A stop for a swarm nobody has: nothing to stop, nothing read, no cache entry.
            return;
        }

        var entry = Acquire(command.InfoHash);
        try
        {
            await InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            var refresh = EnsureFreshAsync(entry);
            if (!refresh.IsCompletedSuccessfully)
            {
                // Bounded even when the refresh began for another announce and storage is slow.
                await refresh.AsTask().WaitAsync(_budget, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
            }

            var check = CheckFor(entry, command);
            var stored = check == PeerCheck.Read ? await ReadPeerAsync(entry, command.PeerId).ConfigureAwait(false) : null;
            var write = Apply(entry, command, stored, check == PeerCheck.InsertOnly, result, out var startFlush);
            if (write is null)
            {
                return;
            }

            if (startFlush)
            {
                _ = _committer.FlushAsync(entry);
            }

            // A write queued behind a slow batch still answers within the budget; if it lands later, the peer is
            // stored and its retry finds it.
            if (await write.Stored.WaitAsync(_budget, TimeProvider.System, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            if (!write.RowExisted)
            {
                Refuse(result);
                return;
            }

            // The 'started' of a peer id the window lacked found its row there: judge the announce again by that row.
            result.Reset();
            stored = await ReadPeerAsync(entry, command.PeerId).ConfigureAwait(false);
            write = Apply(entry, command, stored, insertOnly: false, result, out startFlush);
            if (write is null)
            {
                return;
            }

            if (startFlush)
            {
                _ = _committer.FlushAsync(entry);
            }

            if (!await write.Stored.WaitAsync(_budget, TimeProvider.System, CancellationToken.None).ConfigureAwait(false))
            {
                Refuse(result);
            }
        }
        catch (Exception exception) when (StoreResilience.IsFault(exception))
        {
            Refuse(result);
        }
        finally
        {
            Release(entry);
            SweepIfDue();
        }
    }

    /// <remarks>A hash no swarm has, as the swarm directory knows while fresh (it waits for the directory's refresh when
    /// it is older than the cache staleness), is answered with zeros from memory: no read, no cache entry.</remarks>
    public async ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken)
    {
        Metrics.Scrape(hashes.Length);
        var known = false;
        try
        {
            await InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            known = await _directory.FreshenAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (StoreResilience.IsFault(exception))
        {
            // Read as before; a swarm that cannot be read then is refused below.
        }

        var entries = new SwarmEntry?[hashes.Length];
        var refreshes = new List<Task>();
        var unknown = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var hash = hashes.Span[i];
            if (known && !_cache.ContainsKey(hash) && !_directory.Contains(hash))
            {
                unknown++;
                continue;
            }

            var entry = entries[i] = Entry(hash);
            var refresh = EnsureFreshAsync(entry);
            if (!refresh.IsCompletedSuccessfully)
            {
                refreshes.Add(refresh.AsTask());
            }
        }

        if (unknown > 0)
        {
            Metrics.UnknownHash(unknown);
        }

        var degraded = false;
        try
        {
            await InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(refreshes).ConfigureAwait(false);
        }
        catch (Exception exception) when (StoreResilience.IsFault(exception))
        {
            // Counts this instance read before the outage are served stale; a swarm never read would be a zero, a lie.
            LogScrapeDegraded(_logger, exception.Message);
            degraded = true;
        }

        var destination = counts.Span;
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i] is not { } entry)
            {
                destination[i] = default;
                continue;
            }

            lock (entry.Gate)
            {
                if (degraded && !entry.Loaded)
                {
                    Metrics.Unavailable();
                    return ScrapeStatus.StoreUnavailable;
                }

                destination[i] = entry.Counts;
            }
        }

        return ScrapeStatus.Ok;
    }

    public async ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken)
    {
        var swarms = new Dictionary<InfoHash, SwarmCounts>();
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (hash, counts) in await _purger.ListRegistryAsync(cancellationToken).ConfigureAwait(false))
            {
                swarms[hash] = counts;
            }
        }
        catch (Exception exception) when (StoreResilience.IsFault(exception))
        {
            LogScrapeDegraded(_logger, exception.Message);
        }

        // Swarms this instance holds fresh are newer than the registry's figures.
        var now = NowMs();
        foreach (var (hash, entry) in _cache)
        {
            lock (entry.Gate)
            {
                if (entry.Loaded && entry.Exists && now - entry.LoadedAtMs <= _options.CacheStalenessMilliseconds)
                {
                    swarms[hash] = entry.Counts;
                }
            }
        }

        var list = new List<SwarmSummary>(swarms.Count);
        foreach (var (hash, counts) in swarms)
        {
            if (counts.Peers > 0 || counts.Downloaded > 0)
            {
                list.Add(new SwarmSummary(hash, counts));
            }
        }

        return list;
    }

    public async ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var report = await _purger.RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var hash in _purger.TakeRetired())
        {
            _directory.Forget(hash);
        }

        foreach (var hash in _purger.TakeChanged())
        {
            if (_cache.TryGetValue(hash, out var entry))
            {
                lock (entry.Gate)
                {
                    entry.Loaded = false;
                }
            }
        }

        return report;
    }

    public void Dispose()
    {
        Metrics.Dispose();
        _tablesGate.Dispose();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Refuse(AnnounceResult result)
    {
        Metrics.Unavailable();
        result.ClearPeers();
        result.Status = AnnounceStatus.StoreUnavailable;
        result.RetryInSeconds = _options.RetryInSeconds;
    }
}
