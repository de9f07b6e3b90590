using ServerlessTracker.Engine.Policy.Factors;

namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>A passkey as the hot path sees it: identity, revocation and live figures, updated without locks.</summary>
/// <remarks>
/// Figures are the sum of every figures row known here (all origins, this process's own included, as last read or written)
/// plus what this process counted and has not saved yet. Only the row's holder writes a row, so nothing is counted twice
/// and nothing is lost to a race between instances.
/// </remarks>
public sealed class PasskeyAccount
{
    /// <summary>The most one announce may add to a figure, in bytes (1 PiB): keeps a lying client from overflowing a counter.</summary>
    public const long MaxDeltaBytes = 1L << 50;

    private readonly Dictionary<string, UsageSnapshot> _rows = new(StringComparer.Ordinal);
    private long _countedUploaded;
    private long _countedDownloaded;
    private long _savedUploaded;
    private long _savedDownloaded;

    // Hundredths of a byte left over by factored credits since this process started: each announce carries on the whole bytes
    // its remainder completes, so what a process credits is floor(sum of delta × percent / 100), exact to the byte.
    private long _uploadedHundredths;
    private long _downloadedHundredths;
    private long _rowsUploaded;
    private long _rowsDownloaded;
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
    public long Uploaded => Interlocked.Read(ref _rowsUploaded) + Interlocked.Read(ref _countedUploaded) - Interlocked.Read(ref _savedUploaded);

    /// <summary>Bytes downloaded, all instances (others as of the last refresh).</summary>
    public long Downloaded => Interlocked.Read(ref _rowsDownloaded) + Interlocked.Read(ref _countedDownloaded) - Interlocked.Read(ref _savedDownloaded);

    /// <summary>What this process counted since it started.</summary>
    internal (long Uploaded, long Downloaded) Counted => (Interlocked.Read(ref _countedUploaded), Interlocked.Read(ref _countedDownloaded));

    /// <summary>The part of <see cref="Counted"/> that some saved row holds.</summary>
    internal (long Uploaded, long Downloaded) Saved => (Interlocked.Read(ref _savedUploaded), Interlocked.Read(ref _savedDownloaded));

    /// <summary>The table's refresh generation when this account was added: a full read drops only older ones.</summary>
    internal long Generation { get; init; }

    /// <summary>The origin whose row this process continues (claimed), or null before its first save there.</summary>
    internal string? ClaimedOrigin { get; set; }

    /// <summary>The claimed row's figures when claimed, and how much of <see cref="Counted"/> was saved elsewhere by then:
    /// the row's value is <c>Base + Counted - SavedAtClaim</c>.</summary>
    internal (long Uploaded, long Downloaded) Base { get; set; }

    /// <inheritdoc cref="Base"/>
    internal (long Uploaded, long Downloaded) SavedAtClaim { get; set; }

    /// <summary>Adds one announce's deltas (negative or absurd values are clamped).</summary>
    public void Add(long uploaded, long downloaded) => Add(uploaded, downloaded, default);

    /// <summary>Adds one announce's deltas as credited by <paramref name="factors"/> (negative or absurd deltas are clamped first).</summary>
    public void Add(long uploaded, long downloaded, TransferFactors factors)
    {
        var credit = Credit(uploaded, factors.UploadPercent, ref _uploadedHundredths);
        if (credit > 0)
        {
            Interlocked.Add(ref _countedUploaded, credit);
        }

        credit = Credit(downloaded, factors.DownloadPercent, ref _downloadedHundredths);
        if (credit > 0)
        {
            Interlocked.Add(ref _countedDownloaded, credit);
        }
    }

    /// <summary>Whole bytes credited for <paramref name="delta"/> at <paramref name="percent"/>: the product's whole part, plus a
    /// byte for each hundred the remainder completes in <paramref name="hundredths"/>.</summary>
    private static long Credit(long delta, int percent, ref long hundredths)
    {
        if (delta <= 0 || percent <= 0)
        {
            return 0;
        }

        delta = Math.Min(delta, MaxDeltaBytes);
        if (percent == TransferFactors.Unfactored)
        {
            return delta;
        }

        // At most 2^50 × 1000 < 2^60: no overflow.
        var product = delta * percent;
        var whole = product / 100;
        var rest = product % 100;
        if (rest != 0)
        {
            // Lock-free and exact under concurrent announces: this announce carries the hundreds its own range crosses.
            var total = Interlocked.Add(ref hundredths, rest);
            whole += (total / 100) - ((total - rest) / 100);
        }

        return whole;
    }

    /// <summary>Takes a stored or journaled record: the name once known, a revocation for good.</summary>
    internal void Apply(PasskeyRecord stored)
    {
        if (stored.Name is not null)
        {
            _name = stored.Name;
        }

        if (stored.RevokedAt is { } revokedAt)
        {
            // Revocation is for good: a read that predates a revocation learned meanwhile (from sync) must not undo it.
            Revoke(revokedAt);
        }
    }

    /// <summary>Takes a figures row when newer than the one known (caller holds the table's lock).</summary>
    internal bool ApplyRow(UsageSnapshot row)
    {
        if (_rows.TryGetValue(row.Origin, out var known) && known.Version >= row.Version)
        {
            return false;
        }

        _rows[row.Origin] = row;
        Interlocked.Add(ref _rowsUploaded, row.Uploaded - known.Uploaded);
        Interlocked.Add(ref _rowsDownloaded, row.Downloaded - known.Downloaded);
        return true;
    }

    /// <summary>A row was saved holding <paramref name="counted"/> of this process's counts (caller holds the table's lock).</summary>
    internal void MarkSaved(UsageSnapshot row, (long Uploaded, long Downloaded) counted)
    {
        ApplyRow(row);
        Interlocked.Exchange(ref _savedUploaded, counted.Uploaded);
        Interlocked.Exchange(ref _savedDownloaded, counted.Downloaded);
    }

    private static uint TagOf(byte[] key)
    {
        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(key, digest);
        return Math.Max(1u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest));
    }

    internal void Revoke(DateTimeOffset at) => Interlocked.CompareExchange(ref _revokedAtTicks, at.UtcTicks, 0);
}
