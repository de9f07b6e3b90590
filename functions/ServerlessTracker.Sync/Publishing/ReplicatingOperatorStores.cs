using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Wraps the region's passkey store: passkeys made or revoked here, and this instance's figures as they are
/// flushed, are queued for the other regions.</summary>
/// <remarks>Merges (what other regions sent, applied to <see cref="Inner"/> by sync) are never republished.</remarks>
public sealed class ReplicatingPasskeyStore(IPasskeyStore inner, OperatorSyncQueue queue) : IPasskeyStore
{
    public IPasskeyStore Inner => inner;

    public ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken) =>
        inner.ListAsync(excludingOrigin, cancellationToken);

    public ValueTask<PasskeyChanges> ReadChangesAsync(string? cursor, CancellationToken cancellationToken) => inner.ReadChangesAsync(cursor, cancellationToken);

    public async ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        if (!await inner.CreateAsync(record, cancellationToken))
        {
            return false;
        }

        queue.Enqueue(PasskeyChange.From(record with { RevokedAt = null }));
        return true;
    }

    public async ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!await inner.RevokeAsync(passkey, at, cancellationToken))
        {
            return false;
        }

        // Name and creation are not at hand: receivers keep theirs, or take the revocation time until the creation arrives.
        queue.Enqueue(new PasskeyChange(passkey, null, null, at));
        return true;
    }

    public ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken) => inner.MergeAsync(record, cancellationToken);

    public ValueTask<string?> LeaseOriginAsync(string region, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        inner.LeaseOriginAsync(region, holder, now, until, cancellationToken);

    public ValueTask<bool> RenewOriginAsync(string origin, string holder, DateTimeOffset until, CancellationToken cancellationToken) =>
        inner.RenewOriginAsync(origin, holder, until, cancellationToken);

    public ValueTask ReleaseOriginAsync(string origin, string holder, CancellationToken cancellationToken) =>
        inner.ReleaseOriginAsync(origin, holder, cancellationToken);

    public ValueTask<UsageSnapshot?> ClaimUsageAsync(string passkey, string origin, string holder, CancellationToken cancellationToken) =>
        inner.ClaimUsageAsync(passkey, origin, holder, cancellationToken);

    public async ValueTask<int> SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, string holder, CancellationToken cancellationToken)
    {
        var saved = await inner.SaveUsageAsync(usage, holder, cancellationToken);
        for (var i = 0; i < saved; i++)
        {
            queue.Enqueue(UsageChange.From(usage[i]));
        }

        return saved;
    }

    public ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken) =>
        inner.MergeUsageAsync(usage, cancellationToken);

    public ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken) => inner.ListUsageAsync(cancellationToken);
}

/// <summary>Wraps the region's info-hash list store: rules added or removed here are queued for the other regions.</summary>
/// <remarks>Forgetting an old removal (<see cref="DeleteAsync"/>) is each region's own housekeeping, not published.</remarks>
public sealed class ReplicatingInfoHashListStore(IInfoHashListStore inner, OperatorSyncQueue queue) : IInfoHashListStore
{
    public IInfoHashListStore Inner => inner;

    public ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async ValueTask<bool> PutAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        if (!await inner.PutAsync(rule, cancellationToken))
        {
            return false;
        }

        queue.Enqueue(InfoHashChange.From(rule));
        return true;
    }

    public ValueTask<bool> DeleteAsync(InfoHash hash, InfoHashListKind kind, long version, CancellationToken cancellationToken) =>
        inner.DeleteAsync(hash, kind, version, cancellationToken);
}

/// <summary>Wraps the region's IP allow-list store: entries added or removed here, and their uses as they are flushed, are
/// queued for the other regions, so every region retires an entry only when no region used it.</summary>
/// <remarks>Retiring an idle entry (<see cref="DeleteAsync"/>) is not published: every region decides it from the shared last use.</remarks>
public sealed class ReplicatingIpAllowListStore(IIpAllowListStore inner, OperatorSyncQueue queue) : IIpAllowListStore
{
    public IIpAllowListStore Inner => inner;

    public ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async ValueTask<bool> PutAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        if (!await inner.PutAsync(record, cancellationToken))
        {
            return false;
        }

        queue.Enqueue(IpChange.From(record));
        return true;
    }

    public ValueTask<bool> DeleteAsync(string entry, long version, DateTimeOffset lastUsedAt, CancellationToken cancellationToken) =>
        inner.DeleteAsync(entry, version, lastUsedAt, cancellationToken);

    public async ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken)
    {
        await inner.TouchAsync(uses, cancellationToken);
        foreach (var (entry, lastUsed) in uses)
        {
            queue.Enqueue(new IpUseChange(entry, lastUsed));
        }
    }
}

/// <summary>Wraps the region's client list store: rules added or removed here are queued for the other regions.</summary>
/// <remarks>Forgetting an old removal (<see cref="DeleteAsync"/>) is each region's own housekeeping, not published.</remarks>
public sealed class ReplicatingClientListStore(IClientListStore inner, OperatorSyncQueue queue) : IClientListStore
{
    public IClientListStore Inner => inner;

    public ValueTask<IReadOnlyList<ClientRule>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async ValueTask<bool> PutAsync(ClientRule rule, CancellationToken cancellationToken)
    {
        if (!await inner.PutAsync(rule, cancellationToken))
        {
            return false;
        }

        queue.Enqueue(ClientChange.From(rule));
        return true;
    }

    public ValueTask<bool> DeleteAsync(string prefix, ClientListKind kind, long version, CancellationToken cancellationToken) =>
        inner.DeleteAsync(prefix, kind, version, cancellationToken);
}

/// <summary>Wraps the region's torrent factor store: factors set or removed here are queued for the other regions.</summary>
/// <remarks>Forgetting an old removal (<see cref="DeleteAsync"/>) is each region's own housekeeping, not published.</remarks>
public sealed class ReplicatingTorrentFactorStore(ITorrentFactorStore inner, OperatorSyncQueue queue) : ITorrentFactorStore
{
    public ITorrentFactorStore Inner => inner;

    public ValueTask<IReadOnlyList<TorrentFactor>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async ValueTask<bool> PutAsync(TorrentFactor factor, CancellationToken cancellationToken)
    {
        if (!await inner.PutAsync(factor, cancellationToken))
        {
            return false;
        }

        queue.Enqueue(FactorChange.Of(factor));
        return true;
    }

    public ValueTask<bool> DeleteAsync(InfoHash hash, long version, CancellationToken cancellationToken) => inner.DeleteAsync(hash, version, cancellationToken);
}

/// <summary>Finds the stores beneath the sync decorators: where changes from other regions are written, unpublished.</summary>
public static class OperatorStores
{
    public static IPasskeyStore Innermost(IPasskeyStore store) => store is ReplicatingPasskeyStore replicating ? replicating.Inner : store;

    public static IInfoHashListStore Innermost(IInfoHashListStore store) => store is ReplicatingInfoHashListStore replicating ? replicating.Inner : store;

    public static IIpAllowListStore Innermost(IIpAllowListStore store) => store is ReplicatingIpAllowListStore replicating ? replicating.Inner : store;

    public static IClientListStore Innermost(IClientListStore store) => store is ReplicatingClientListStore replicating ? replicating.Inner : store;

    public static ITorrentFactorStore Innermost(ITorrentFactorStore store) => store is ReplicatingTorrentFactorStore replicating ? replicating.Inner : store;
}
