using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Where a <see cref="PasskeyTable"/> writes its figures and how often it reads the whole store.</summary>
/// <param name="Region">Figures go to a slot of this region leased for <paramref name="OriginLease"/> at a time
/// (<see cref="UsageOrigin.ForSlot"/>); null: to one origin of the table's own, as in tests.</param>
/// <param name="OriginLease">How long a lease lasts; it is renewed once half has passed.</param>
/// <param name="FullRefresh">How often a refresh reads every passkey and figures row instead of the changes since the last.</param>
public sealed record PasskeyTableSettings(string? Region, TimeSpan OriginLease, TimeSpan FullRefresh)
{
    /// <summary>One origin of the table's own, a lease of 5 minutes, a full read every 15.</summary>
    public static PasskeyTableSettings Default { get; } = new(null, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15));
}

/// <summary>Every passkey held in memory for the hot path, kept in step with an <see cref="IPasskeyStore"/>.</summary>
/// <remarks>
/// <para>A lookup hashes the presented passkey with <see cref="HashCode"/> (xxHash32 under a per-process random seed,
/// so clients can neither predict nor choose collisions), probes a dictionary of buckets, and compares the
/// candidates' bytes with <see cref="CryptographicOperations.FixedTimeEquals"/>: the secret itself is only ever
/// compared in constant time. A few hundred nanoseconds at most, no allocation; an HMAC-SHA256 per lookup costs
/// about 3 µs here, as much as the rest of the announce. Writers (admin calls, refreshes) take a lock and replace
/// bucket arrays whole, so readers never lock.</para>
/// <para>Figures: the table writes what this process counted under an origin it leases (<see cref="IPasskeyStore.LeaseOriginAsync"/>),
/// continuing each row from its stored value (a slot's rows outlive the processes that held it), and gives the lease back
/// when the process stops. A row another holder wrote meanwhile is never overwritten: the table leases another slot and
/// saves what it had not saved there. Refreshes read the store's journal from a cursor, and everything only every
/// <see cref="PasskeyTableSettings.FullRefresh"/>.</para>
/// </remarks>
public sealed class PasskeyTable
{
    private readonly ConcurrentDictionary<int, PasskeyAccount[]> _buckets = new();
    private readonly Dictionary<string, PasskeyAccount> _accounts = new(StringComparer.Ordinal);

    // Figures rows of passkeys not known here yet (sync may bring figures first).
    private readonly Dictionary<string, Dictionary<string, UsageSnapshot>> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly IPasskeyStore _store;
    private readonly TimeProvider _time;
    private readonly PasskeyTableSettings _settings;
    private readonly string? _fixedOrigin;
    private readonly string _holder = Guid.NewGuid().ToString("N");
    private volatile int _count;
    private long _version;
    private long _generation;
    private string? _origin;
    private DateTimeOffset _leaseUntil;
    private string? _cursor;
    private DateTimeOffset _lastFullRead;

    /// <param name="instanceId">The origin this table writes its figures under; a random name when null.</param>
    public PasskeyTable(IPasskeyStore store, TimeProvider time, string? instanceId = null)
        : this(store, time, PasskeyTableSettings.Default, instanceId ?? Guid.NewGuid().ToString("N"))
    {
    }

    /// <param name="settings">With a region, figures go to a leased slot of it (how the hosts run).</param>
    public PasskeyTable(IPasskeyStore store, TimeProvider time, PasskeyTableSettings settings)
        : this(store, time, settings, settings.Region is null ? Guid.NewGuid().ToString("N") : null)
    {
    }

    private PasskeyTable(IPasskeyStore store, TimeProvider time, PasskeyTableSettings settings, string? fixedOrigin)
    {
        _store = store;
        _time = time;
        _settings = settings;
        _fixedOrigin = fixedOrigin;
    }

    /// <summary>The origin this process's figures go to now (null while no slot is leased).</summary>
    public string? InstanceId => _fixedOrigin ?? Volatile.Read(ref _origin);

    public int Count => _count;

    /// <summary>The account for a passkey as the client sent it (ASCII bytes), or null.</summary>
    public PasskeyAccount? Find(ReadOnlySpan<byte> passkey)
    {
        if (passkey.IsEmpty || passkey.Length > Passkey.MaxLength || !_buckets.TryGetValue(Hash(passkey), out var bucket))
        {
            return null;
        }

        foreach (var account in bucket)
        {
            if (account.Key.Length == passkey.Length && CryptographicOperations.FixedTimeEquals(account.Key, passkey))
            {
                return account;
            }
        }

        return null;
    }

    public PasskeyAccount? Find(string passkey)
    {
        if (!Passkey.IsWellFormed(passkey))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Passkey.MaxLength];
        var length = Encoding.ASCII.GetBytes(passkey, bytes);
        return Find(bytes[..length]);
    }

    /// <summary>A copy of every account, for listing.</summary>
    public List<PasskeyAccount> List()
    {
        lock (_gate)
        {
            return [.. _accounts.Values];
        }
    }

    /// <summary>Makes, stores and activates a new passkey.</summary>
    public async ValueTask<PasskeyAccount> CreateAsync(string? name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var record = new PasskeyRecord(Passkey.Create(), name, _time.GetUtcNow(), null, 0, 0);
            if (await _store.CreateAsync(record, cancellationToken))
            {
                return Activate(record);
            }
        }
    }

    /// <summary>Revokes a passkey here and in the store; null when unknown.</summary>
    public async ValueTask<PasskeyAccount?> RevokeAsync(string passkey, CancellationToken cancellationToken)
    {
        var account = Find(passkey);
        if (account is null)
        {
            return null;
        }

        var at = _time.GetUtcNow();
        await _store.RevokeAsync(account.Passkey, at, cancellationToken);
        account.Revoke(at);
        return account;
    }

    /// <summary>Reads what changed in the store since the last refresh (everything at the first, and every
    /// <see cref="PasskeyTableSettings.FullRefresh"/>): new passkeys appear, revocations and other instances' figures apply.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var full = _cursor is null || now - _lastFullRead >= _settings.FullRefresh;

            // Only passkeys held before the read may be dropped: one created meanwhile is not in the list yet.
            var generation = Interlocked.Increment(ref _generation);
            var changes = await _store.ReadChangesAsync(full ? null : _cursor, cancellationToken);
            if (changes.Full)
            {
                _lastFullRead = now;
            }

            var seen = changes.Full ? new HashSet<string>(StringComparer.Ordinal) : null;
            foreach (var record in changes.Passkeys)
            {
                if (Passkey.IsWellFormed(record.Passkey))
                {
                    seen?.Add(record.Passkey);
                    Activate(record);
                }
            }

            lock (_gate)
            {
                foreach (var row in changes.Usage)
                {
                    ApplyRow(row);
                }
            }

            if (seen is not null)
            {
                foreach (var account in List())
                {
                    if (!seen.Contains(account.Passkey) && account.Generation < generation)
                    {
                        Deactivate(account);
                    }
                }
            }

            _cursor = changes.Cursor;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Writes what this process counted and has not saved to its origin's rows, as cumulative snapshots of a new
    /// version (renewing or taking a lease first); a failure leaves them to the next flush.</summary>
    public async ValueTask<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            for (var attempt = 1; ; attempt++)
            {
                var pending = List().FindAll(static account => account.Counted != account.Saved);
                if (pending.Count == 0)
                {
                    if (_fixedOrigin is null && _origin is not null)
                    {
                        // Idle: keep the slot, so a busy region does not hand its slots around.
                        await OriginAsync(cancellationToken);
                    }

                    return total;
                }

                var origin = await OriginAsync(cancellationToken);
                foreach (var account in pending)
                {
                    if (account.ClaimedOrigin != origin)
                    {
                        var row = await _store.ClaimUsageAsync(account.Passkey, origin, _holder, cancellationToken);
                        lock (_gate)
                        {
                            account.ClaimedOrigin = origin;
                            account.Base = row is { } stored ? (stored.Uploaded, stored.Downloaded) : (0, 0);
                            account.SavedAtClaim = account.Saved;
                            if (row is { } found)
                            {
                                ChangeVersion.Observe(ref _version, found.Version);
                                account.ApplyRow(found);
                            }
                        }
                    }
                }

                var version = ChangeVersion.Next(_time, ref _version);
                var counted = new (long Uploaded, long Downloaded)[pending.Count];
                var usage = new UsageSnapshot[pending.Count];
                for (var i = 0; i < usage.Length; i++)
                {
                    var account = pending[i];
                    counted[i] = account.Counted;
                    usage[i] = new UsageSnapshot(
                        account.Passkey,
                        origin,
                        account.Base.Uploaded + counted[i].Uploaded - account.SavedAtClaim.Uploaded,
                        account.Base.Downloaded + counted[i].Downloaded - account.SavedAtClaim.Downloaded,
                        version);
                }

                var saved = await _store.SaveUsageAsync(usage, _holder, cancellationToken);
                lock (_gate)
                {
                    for (var i = 0; i < saved; i++)
                    {
                        pending[i].MarkSaved(usage[i], counted[i]);
                    }
                }

                total += saved;
                if (saved == usage.Length)
                {
                    return total;
                }

                // Another process wrote one of these rows: the slot is no longer ours. What was saved stays in its rows;
                // the rest goes to another slot (claimed afresh there).
                if (_fixedOrigin is not null || attempt == 3)
                {
                    throw new InvalidOperationException($"Passkey figures origin '{origin}' is written by another process.");
                }

                Volatile.Write(ref _origin, null);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Gives this process's slot back (at shutdown, after the last flush), so the next process takes it at once.</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            if (_fixedOrigin is null && _origin is { } origin)
            {
                Volatile.Write(ref _origin, null);
                await _store.ReleaseOriginAsync(origin, _holder, cancellationToken);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Takes a passkey another region made or revoked (already merged into the store): it is served, or refused,
    /// here at once; its figures come with the next refresh. Null for a malformed passkey.</summary>
    public PasskeyAccount? Learn(PasskeyRecord record)
    {
        if (!Passkey.IsWellFormed(record.Passkey))
        {
            return null;
        }

        lock (_gate)
        {
            if (_accounts.TryGetValue(record.Passkey, out var account))
            {
                if (record.RevokedAt is { } at)
                {
                    account.Revoke(at);
                }

                return account;
            }

            return Add(record);
        }
    }

    /// <summary>The origin to write to: the fixed one, the leased one (renewed once half its lease has passed), or a new lease.</summary>
    private async ValueTask<string> OriginAsync(CancellationToken cancellationToken)
    {
        if (_fixedOrigin is not null)
        {
            return _fixedOrigin;
        }

        var region = _settings.Region!;
        var now = _time.GetUtcNow();
        var until = now + _settings.OriginLease;
        if (_origin is { } current)
        {
            if (now < _leaseUntil - (_settings.OriginLease / 2))
            {
                return current;
            }

            if (await _store.RenewOriginAsync(current, _holder, until, cancellationToken))
            {
                _leaseUntil = until;
                return current;
            }
        }

        var origin = await _store.LeaseOriginAsync(region, _holder, now, until, cancellationToken)
            ?? throw new InvalidOperationException($"Every passkey figures slot of region '{region}' is leased.");
        _leaseUntil = until;
        Volatile.Write(ref _origin, origin);
        return origin;
    }

    /// <summary>Adds the passkey, or applies the stored record to the account already held.</summary>
    private PasskeyAccount Activate(PasskeyRecord record)
    {
        lock (_gate)
        {
            if (_accounts.TryGetValue(record.Passkey, out var account))
            {
                account.Apply(record);
                return account;
            }

            return Add(record);
        }
    }

    /// <summary>A figures row for its account, or kept until its passkey is known (with <see cref="_gate"/> held).</summary>
    private void ApplyRow(UsageSnapshot row)
    {
        if (_accounts.TryGetValue(row.Passkey, out var account))
        {
            account.ApplyRow(row);
            return;
        }

        if (!Passkey.IsWellFormed(row.Passkey))
        {
            return;
        }

        if (!_waiting.TryGetValue(row.Passkey, out var rows))
        {
            _waiting[row.Passkey] = rows = new Dictionary<string, UsageSnapshot>(StringComparer.Ordinal);
        }

        if (!rows.TryGetValue(row.Origin, out var known) || known.Version < row.Version)
        {
            rows[row.Origin] = row;
        }
    }

    /// <summary>Adds an account (with <see cref="_gate"/> held).</summary>
    private PasskeyAccount Add(PasskeyRecord record)
    {
        var account = new PasskeyAccount(record.Passkey, record.Name, record.CreatedAt) { Generation = Volatile.Read(ref _generation) };
        account.Apply(record);
        if (_waiting.Remove(record.Passkey, out var rows))
        {
            foreach (var row in rows.Values)
            {
                account.ApplyRow(row);
            }
        }

        _accounts.Add(record.Passkey, account);
        var hash = Hash(account.Key);
        _buckets[hash] = _buckets.TryGetValue(hash, out var bucket) ? [.. bucket, account] : [account];
        _count = _accounts.Count;
        return account;
    }

    private void Deactivate(PasskeyAccount account)
    {
        lock (_gate)
        {
            if (!_accounts.Remove(account.Passkey))
            {
                return;
            }

            var hash = Hash(account.Key);
            if (_buckets.TryGetValue(hash, out var bucket))
            {
                var rest = Array.FindAll(bucket, a => !ReferenceEquals(a, account));
                if (rest.Length == 0)
                {
                    _buckets.TryRemove(hash, out _);
                }
                else
                {
                    _buckets[hash] = rest;
                }
            }

            _count = _accounts.Count;
        }
    }

    private static int Hash(ReadOnlySpan<byte> passkey)
    {
        var hash = default(HashCode);
        hash.AddBytes(passkey);
        return hash.ToHashCode();
    }
}
