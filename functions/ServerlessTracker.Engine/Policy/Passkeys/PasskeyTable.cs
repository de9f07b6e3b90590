using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Every passkey held in memory for the hot path, kept in step with an <see cref="IPasskeyStore"/>.</summary>
/// <remarks>
/// Lookups go through a keyed hash: the map is keyed by HMAC-SHA256(per-process random key, passkey),
/// so the time a lookup takes says nothing an attacker can use about stored passkeys (no byte-by-byte
/// comparison of secrets ever happens), and clients cannot choose passkeys that collide in the map.
/// One lookup is a hash over at most 128 bytes and a dictionary probe, with no allocation.
/// </remarks>
public sealed class PasskeyTable
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<Digest, PasskeyAccount> _accounts = new();
    private readonly IPasskeyStore _store;
    private readonly TimeProvider _time;

    public PasskeyTable(IPasskeyStore store, TimeProvider time, string? instanceId = null)
    {
        _store = store;
        _time = time;
        InstanceId = instanceId ?? Guid.NewGuid().ToString("N");
    }

    /// <summary>This process's name in the store's per-instance figures.</summary>
    public string InstanceId { get; }

    public int Count => _accounts.Count;

    /// <summary>The account for a passkey as the client sent it (ASCII bytes), or null.</summary>
    public PasskeyAccount? Find(ReadOnlySpan<byte> passkey)
    {
        if (passkey.IsEmpty || passkey.Length > Passkey.MaxLength)
        {
            return null;
        }

        return _accounts.TryGetValue(DigestOf(passkey), out var account) ? account : null;
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
    public List<PasskeyAccount> List() => [.. _accounts.Values];

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

    /// <summary>Re-reads every passkey from the store: new ones appear, revocations and other instances' figures apply.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        // Only passkeys held before the read may be dropped: one created meanwhile is not in the list yet.
        var before = _accounts.Keys;
        var records = await _store.ListAsync(InstanceId, cancellationToken);
        var seen = new HashSet<Digest>();
        foreach (var record in records)
        {
            if (!Passkey.IsWellFormed(record.Passkey))
            {
                continue;
            }

            var digest = DigestOf(record.Passkey);
            seen.Add(digest);
            if (_accounts.TryGetValue(digest, out var account))
            {
                account.Apply(record);
            }
            else
            {
                Activate(record);
            }
        }

        foreach (var digest in before)
        {
            if (!seen.Contains(digest))
            {
                _accounts.TryRemove(digest, out _);
            }
        }
    }

    /// <summary>Writes this instance's changed figures to the store; a failure leaves them to the next flush.</summary>
    public async ValueTask<int> FlushAsync(CancellationToken cancellationToken)
    {
        List<(PasskeyAccount Account, PasskeyUsage Usage)>? changed = null;
        foreach (var account in _accounts.Values)
        {
            var local = account.Local;
            if (local != account.Saved)
            {
                (changed ??= []).Add((account, new PasskeyUsage(account.Passkey, local.Uploaded, local.Downloaded)));
            }
        }

        if (changed is null)
        {
            return 0;
        }

        var usage = new PasskeyUsage[changed.Count];
        for (var i = 0; i < usage.Length; i++)
        {
            usage[i] = changed[i].Usage;
        }

        await _store.SaveUsageAsync(InstanceId, usage, cancellationToken);
        foreach (var (account, saved) in changed)
        {
            account.Saved = (saved.Uploaded, saved.Downloaded);
        }

        return usage.Length;
    }

    private PasskeyAccount Activate(PasskeyRecord record)
    {
        var account = new PasskeyAccount(record.Passkey, record.Name, record.CreatedAt);
        account.Apply(record);
        return _accounts.GetOrAdd(DigestOf(record.Passkey), account);
    }

    private Digest DigestOf(string passkey)
    {
        Span<byte> bytes = stackalloc byte[Passkey.MaxLength];
        var length = Encoding.ASCII.GetBytes(passkey, bytes);
        return DigestOf(bytes[..length]);
    }

    private Digest DigestOf(ReadOnlySpan<byte> passkey)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, passkey, mac);
        return new Digest(BinaryPrimitives.ReadUInt64LittleEndian(mac), BinaryPrimitives.ReadUInt64LittleEndian(mac[8..]));
    }

    /// <summary>128 bits of the keyed hash: the map key.</summary>
    private readonly record struct Digest(ulong High, ulong Low);
}
