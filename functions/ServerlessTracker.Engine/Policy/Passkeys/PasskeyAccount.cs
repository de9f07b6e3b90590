namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>A passkey as the hot path sees it: identity, revocation and live figures, updated without locks.</summary>
/// <remarks>
/// Figures are this instance's cumulative counts (added to on every accounted announce) plus the other
/// instances' counts as last read from the store. Only this instance writes its own counts to the store,
/// so nothing is counted twice and nothing is lost to a race between instances.
/// </remarks>
public sealed class PasskeyAccount
{
    /// <summary>The most one announce may add to a figure, in bytes (1 PiB): keeps a lying client from overflowing a counter.</summary>
    public const long MaxDeltaBytes = 1L << 50;

    private long _localUploaded;
    private long _localDownloaded;
    private long _otherUploaded;
    private long _otherDownloaded;
    private volatile string? _name;
    private long _revokedAtTicks;

    internal PasskeyAccount(string passkey, string? name, DateTimeOffset createdAt)
    {
        Passkey = passkey;
        Key = System.Text.Encoding.ASCII.GetBytes(passkey);
        Tag = TagOf(Key);
        _name = name;
        CreatedAt = createdAt;
    }

    public string Passkey { get; }

    /// <summary>The passkey as the ASCII bytes clients send, for the constant-time comparison.</summary>
    internal byte[] Key { get; }

    /// <summary>A 32-bit name of this passkey, the same on every instance and region and never 0: what a swarm keeps with
    /// each peer to count a passkey's peers (<see cref="SwarmSettings.MaxPeersPerPasskey"/>), without holding the passkey.</summary>
    public uint Tag { get; }

    public string? Name => _name;

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RevokedAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _revokedAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public bool IsRevoked => Interlocked.Read(ref _revokedAtTicks) != 0;

    /// <summary>Bytes uploaded, all instances (others as of the last refresh).</summary>
    public long Uploaded => Interlocked.Read(ref _otherUploaded) + Interlocked.Read(ref _localUploaded);

    /// <summary>Bytes downloaded, all instances (others as of the last refresh).</summary>
    public long Downloaded => Interlocked.Read(ref _otherDownloaded) + Interlocked.Read(ref _localDownloaded);

    /// <summary>This instance's cumulative figures, the values it writes to the store.</summary>
    internal (long Uploaded, long Downloaded) Local => (Interlocked.Read(ref _localUploaded), Interlocked.Read(ref _localDownloaded));

    /// <summary>The local figures last written to the store.</summary>
    internal (long Uploaded, long Downloaded) Saved { get; set; }

    /// <summary>Adds one announce's deltas (negative or absurd values are clamped).</summary>
    public void Add(long uploaded, long downloaded)
    {
        if (uploaded > 0)
        {
            Interlocked.Add(ref _localUploaded, Math.Min(uploaded, MaxDeltaBytes));
        }

        if (downloaded > 0)
        {
            Interlocked.Add(ref _localDownloaded, Math.Min(downloaded, MaxDeltaBytes));
        }
    }

    internal void Apply(PasskeyRecord stored)
    {
        _name = stored.Name;
        Interlocked.Exchange(ref _otherUploaded, stored.Uploaded);
        Interlocked.Exchange(ref _otherDownloaded, stored.Downloaded);
        if (stored.RevokedAt is { } revokedAt)
        {
            // Revocation is for good: a read that predates a revocation learned meanwhile (from sync) must not undo it.
            Revoke(revokedAt);
        }
    }

    private static uint TagOf(byte[] key)
    {
        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(key, digest);
        return Math.Max(1u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest));
    }

    internal void Revoke(DateTimeOffset at) => Interlocked.CompareExchange(ref _revokedAtTicks, at.UtcTicks, 0);
}
