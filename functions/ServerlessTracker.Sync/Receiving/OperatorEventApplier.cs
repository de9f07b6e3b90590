using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Receiving;

/// <summary>What applying one operator event did.</summary>
/// <param name="Refused">Changes dated beyond now plus the allowed clock skew (a version, a last use), not applied.</param>
public readonly record struct OperatorApplyReport(bool Valid, int Changes, int Applied, int Invalid, int Refused = 0);

/// <summary>Applies operator changes from other regions: to this region's stores (beneath the sync decorators, so they are
/// never published again), and to this instance's policy at once; the region's other instances see them at their next refresh.</summary>
/// <remarks>
/// Every change is a state merged idempotently and in any order (<see cref="OperatorChangeBatch"/>): a passkey is added or
/// revoked, an origin's figures replace its row only when newer, a list entry (info-hash, client, IP) or a torrent's factors win by version. Malformed items are skipped
/// and counted; nothing a sender names reaches a key unchecked. Figures of this region's own instances are ignored (they
/// are written here first). Storage faults throw, so the delivery fails and Event Grid delivers it again.
/// A version (figures, list entries) or an IP entry's last use dated beyond now plus
/// <see cref="SyncOptions.MaxClockSkewSeconds"/> refuses the change: it would win every merge until then and, observed
/// by the instance's version clock, push every later local version past it. Passkey times merge to the earliest, so a
/// future one cannot outlast a real one; they are taken as sent.
/// </remarks>
public sealed class OperatorEventApplier(
    AnnouncePolicy? policy,
    IPasskeyStore? passkeys,
    IInfoHashListStore? infoHashes,
    IIpAllowListStore? ips,
    IOptions<RegionOptions> region,
    TimeProvider time,
    IOptions<SyncOptions>? options = null,
    IClientListStore? clients = null,
    ITorrentFactorStore? factors = null)
{
    private readonly TimeSpan _maxSkew = TimeSpan.FromSeconds((options?.Value ?? new SyncOptions()).MaxClockSkewSeconds);

    /// <summary>Most changes one event may carry; a larger one is refused whole.</summary>
    public const int MaxChangesPerEvent = 10_000;

    /// <summary>Longest passkey name or note taken, in characters (what the admin API accepts).</summary>
    public const int MaxTextLength = 200;

    public async Task<OperatorApplyReport> ApplyAsync(BinaryData data, CancellationToken cancellationToken)
    {
        if (OperatorChangeBatch.Decode(data) is not { } batch || batch.Count > MaxChangesPerEvent)
        {
            return new OperatorApplyReport(false, 0, 0, 0);
        }

        int applied = 0, invalid = 0, refused = 0;
        var latest = time.GetUtcNow() + _maxSkew;
        var latestVersion = latest.ToUnixTimeMilliseconds();
        foreach (var change in batch.Passkeys ?? [])
        {
            if (passkeys is null || change?.Passkey is not { } key || !Passkey.IsWellFormed(key) || change.ToRecord() is not { } record
                || record.Name?.Length > MaxTextLength)
            {
                invalid++;
                continue;
            }

            applied += await passkeys.MergeAsync(record, cancellationToken) ? 1 : 0;
            policy?.Passkeys.Learn(record);
        }

        var usage = new List<UsageSnapshot>(batch.Usage?.Count ?? 0);
        foreach (var change in batch.Usage ?? [])
        {
            if (change?.Passkey is not { } key || !Passkey.IsWellFormed(key) || change.Origin is not { } origin || !UsageOrigin.IsWellFormed(origin)
                || change.Uploaded < 0 || change.Downloaded < 0)
            {
                invalid++;
            }
            else if (change.Version > latestVersion)
            {
                refused++;
            }
            else if (UsageOrigin.RegionOf(origin) != region.Value.Region)
            {
                usage.Add(change.ToSnapshot());
            }
        }

        if (usage.Count > 0 && passkeys is not null)
        {
            // Figures reach this instance's passkeys at its next refresh, like any other instance's.
            applied += await passkeys.MergeUsageAsync(usage, cancellationToken);
        }

        foreach (var change in batch.InfoHashes ?? [])
        {
            if (infoHashes is null || change?.ToRule() is not { } rule || !IsHex(rule.Given) || rule.Note?.Length > MaxTextLength)
            {
                invalid++;
                continue;
            }

            if (rule.Version > latestVersion)
            {
                refused++;
                continue;
            }

            await infoHashes.PutAsync(rule, cancellationToken);
            applied += policy?.InfoHashes.Apply(rule) ?? false ? 1 : 0;
        }

        foreach (var change in batch.Ips ?? [])
        {
            if (ips is null || change?.Entry is null || !IpRange.TryParse(change.Entry, out _, out var canonical) || change.Note?.Length > MaxTextLength)
            {
                invalid++;
                continue;
            }

            var record = change.ToRecord() with { Entry = canonical };
            if (record.Version > latestVersion || record.LastUsedAt > latest)
            {
                refused++;
                continue;
            }

            if (!record.Removed && IsExpired(record.LastUsedAt))
            {
                // Idle past the expiry everywhere: this region retired it too, or is about to.
                continue;
            }

            await ips.PutAsync(record, cancellationToken);
            applied += policy?.IpAllowList.Apply(record) ?? false ? 1 : 0;
        }

        foreach (var change in batch.Clients ?? [])
        {
            if (clients is null || change?.ToRule() is not { } rule || rule.Note?.Length > MaxTextLength)
            {
                invalid++;
                continue;
            }

            if (rule.Version > latestVersion)
            {
                refused++;
                continue;
            }

            await clients.PutAsync(rule, cancellationToken);
            applied += policy?.Clients.Apply(rule) ?? false ? 1 : 0;
        }

        foreach (var change in batch.Factors ?? [])
        {
            if (factors is null || change?.ToFactor() is not { } factor || !IsHex(factor.Given) || factor.Note?.Length > MaxTextLength)
            {
                invalid++;
                continue;
            }

            if (factor.Version > latestVersion)
            {
                refused++;
                continue;
            }

            await factors.PutAsync(factor, cancellationToken);
            applied += policy?.Factors.Apply(factor) ?? false ? 1 : 0;
        }

        var uses = new List<(string, DateTimeOffset)>(batch.IpUses?.Count ?? 0);
        foreach (var change in batch.IpUses ?? [])
        {
            if (change?.Entry is null || !IpRange.TryParse(change.Entry, out _, out var canonical))
            {
                invalid++;
                continue;
            }

            if (change.LastUsedAt > latest)
            {
                refused++;
                continue;
            }

            uses.Add((canonical, change.LastUsedAt));
            policy?.IpAllowList.ApplyUse(canonical, change.LastUsedAt);
        }

        if (uses.Count > 0 && ips is not null)
        {
            await ips.TouchAsync(uses, cancellationToken);
            applied += uses.Count;
        }

        return new OperatorApplyReport(true, batch.Count, applied, invalid, refused);
    }

    private bool IsExpired(DateTimeOffset lastUsedAt)
    {
        var expiry = policy?.Access.IpAllowListExpirySeconds ?? 0;
        return expiry > 0 && lastUsedAt < time.GetUtcNow().AddSeconds(-expiry);
    }

    private static bool IsHex(string? given) =>
        given is { Length: 40 or 64 } && InfoHashRule.TryParseHash(given, out _);
}
