using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Diagnostics;
using ServerlessTracker.Storage.Reads;

namespace ServerlessTracker.Storage.Caching;

/// <summary>Which swarms exist, as this instance knows from the registry: a set of 64-bit fingerprints of every registered
/// info-hash, so a hash no swarm has is answered from memory, without a Table query or a cache entry.</summary>
/// <remarks>
/// <para>Loaded whole from the registry rows (<see cref="RegistryReader.ListRegisteredAsync"/>) on first use and again every
/// <see cref="FullReadSeconds"/> (which forgets retired swarms); in between, refreshed from the journal of created swarms
/// (<c>n{created}{hash}</c>) once it is older than the refresh period (the store's cache staleness), re-reading the last
/// <see cref="JournalOverlapSeconds"/> of it so that a write in flight or a clock a little behind is not missed. Swarms this
/// instance creates or reads are added at once; a read that finds a partition empty removes its hash (the negative
/// cache for hashes the set still held).</para>
/// <para>Fingerprints are a keyed mix of the 20 bytes (keys random per process), so clients can neither predict nor aim
/// for a false match; a false match (about n / 2^64) costs only the read the directory exists to save.</para>
/// <para>It answers only while it is trusted: loaded, and refreshed within two periods. Otherwise (before the first load,
/// during a storage outage) callers read storage as before, so a swarm is never reported empty because the directory could
/// not be read.</para>
/// </remarks>
internal sealed partial class SwarmDirectory
{
    /// <summary>Seconds between full reads of the registry.</summary>
    public const int FullReadSeconds = 3600;

    /// <summary>Seconds of the journal read again by each refresh.</summary>
    public const int JournalOverlapSeconds = 60;

    private readonly RegistryReader _reader;
    private readonly Func<CancellationToken, Task> _prepare;
    private readonly TimeProvider _time;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _periodMs;
    private readonly TimeSpan _budget;
    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly ulong _k2;
    private readonly Lock _gate = new();
    private FingerprintSet _set = new();
    private List<ulong>? _addedDuringFullRead;
    private Task? _refreshing;
    private volatile bool _loaded;
    private long _refreshedAtMs;
    private long _fullReadAtMs;
    private long _journalSince;
    private long _failedAtMs = long.MinValue / 2;

    /// <param name="prepare">Makes sure the index table exists (the store's start-up), before each read.</param>
    public SwarmDirectory(RegistryReader reader, Func<CancellationToken, Task> prepare, int periodMilliseconds, TimeSpan budget, TimeProvider time, StorageMetrics metrics, ILogger logger)
    {
        _reader = reader;
        _prepare = prepare;
        _periodMs = periodMilliseconds;
        _budget = budget;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        Span<byte> keys = stackalloc byte[24];
        RandomNumberGenerator.Fill(keys);
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(keys);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(keys[8..]);
        _k2 = BinaryPrimitives.ReadUInt64LittleEndian(keys[16..]);
    }

    /// <summary>Off when the store caches nothing (a staleness of 0): every lookup then reads storage.</summary>
    public bool Enabled => _periodMs > 0;

    /// <summary>Swarms the directory holds.</summary>
    public int Count => Volatile.Read(ref _set).Count;

    /// <summary>Bytes its fingerprints take.</summary>
    public long Bytes => Volatile.Read(ref _set).Bytes;

    /// <summary>Whether the directory may answer now (loaded, refreshed within two periods); unless
    /// <paramref name="refresh"/> is false, starts a refresh when it is older than one period. Never waits.</summary>
    public bool IsTrusted(bool refresh = true)
    {
        if (!Enabled)
        {
            return false;
        }

        var age = Age(out var loaded);
        if (refresh && (!loaded || age >= _periodMs))
        {
            _ = RefreshAsync();
        }

        return loaded && age < 2 * _periodMs;
    }

    /// <summary>Whether the directory is fresh (refreshed within one period), after waiting (within the retry budget) for
    /// a refresh when it is not: what a scrape asks before it answers a hash from memory.</summary>
    public async ValueTask<bool> FreshenAsync()
    {
        if (!Enabled)
        {
            return false;
        }

        var age = Age(out var loaded);
        if (loaded && age < _periodMs)
        {
            return true;
        }

        try
        {
            await RefreshAsync().WaitAsync(_budget, TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        age = Age(out loaded);
        return loaded && age < _periodMs;
    }

    public bool Contains(InfoHash hash) => Volatile.Read(ref _set).Contains(Fingerprint(hash));

    /// <summary>A swarm this instance created or read: known from now on.</summary>
    public void Add(InfoHash hash)
    {
        var fingerprint = Fingerprint(hash);
        lock (_gate)
        {
            _addedDuringFullRead?.Add(fingerprint);
        }

        Volatile.Read(ref _set).Add(fingerprint);
    }

    /// <summary>A swarm found empty, retired or dropped.</summary>
    public void Forget(InfoHash hash) => Volatile.Read(ref _set).Remove(Fingerprint(hash));

    /// <summary>Milliseconds since the last refresh; read without the lock (every announce asks).</summary>
    private long Age(out bool loaded)
    {
        loaded = _loaded;
        return NowMs() - Interlocked.Read(ref _refreshedAtMs);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The refresh in flight, or a new one; none for a period after one failed (storage is down: no storm of reads).</summary>
    private Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_refreshing is null && NowMs() - _failedAtMs < _periodMs)
            {
                return Task.CompletedTask;
            }

            return _refreshing ??= Task.Run(RefreshOnceAsync);
        }
    }

    private async Task RefreshOnceAsync()
    {
        var startedMs = NowMs();
        try
        {
            await _prepare(CancellationToken.None).ConfigureAwait(false);
            bool full;
            long since;
            lock (_gate)
            {
                full = !_loaded || startedMs - _fullReadAtMs >= FullReadSeconds * 1000L;
                since = _journalSince;
                if (full)
                {
                    _addedDuringFullRead = [];
                }
            }

            if (full)
            {
                // Every swarm registered before this read began is in the registry (its row and its journal row are one
                // transaction); what is created later is in the journal, read from a minute before this start next time.
                var registered = await _reader.ListRegisteredAsync(CancellationToken.None).ConfigureAwait(false);
                var set = new FingerprintSet(registered.Count);
                foreach (var hash in registered)
                {
                    set.Add(Fingerprint(hash));
                }

                lock (_gate)
                {
                    foreach (var fingerprint in _addedDuringFullRead!)
                    {
                        set.Add(fingerprint);
                    }

                    _addedDuringFullRead = null;
                    Volatile.Write(ref _set, set);
                    _fullReadAtMs = startedMs;
                }
            }
            else
            {
                var set = Volatile.Read(ref _set);
                foreach (var hash in await _reader.ListCreatedSinceAsync(since, CancellationToken.None).ConfigureAwait(false))
                {
                    set.Add(Fingerprint(hash));
                }
            }

            lock (_gate)
            {
                Interlocked.Exchange(ref _refreshedAtMs, startedMs);
                _loaded = true;
                _journalSince = (startedMs / 1000) - JournalOverlapSeconds;
            }

            _metrics.DirectoryRefreshed(full);
        }
        catch (Exception exception)
        {
            // A background read: whatever went wrong, the directory stays as it was and callers read storage meanwhile.
            LogRefreshFailed(_logger, exception.Message);
            lock (_gate)
            {
                _addedDuringFullRead = null;
                _failedAtMs = NowMs();
            }
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    /// <summary>A keyed 64-bit mix of the hash's 20 bytes (murmur3's finalizer over each word with a secret key).</summary>
    private ulong Fingerprint(InfoHash hash)
    {
        Span<byte> bytes = stackalloc byte[InfoHash.Length];
        hash.CopyTo(bytes);
        var a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        var c = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]);
        return Mix(Mix(Mix(a ^ _k0) ^ b ^ _k1) ^ c ^ _k2);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the swarm registry failed ({Reason}); unknown hashes are read from storage until it succeeds")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
