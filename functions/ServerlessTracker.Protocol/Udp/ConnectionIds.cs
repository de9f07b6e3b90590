using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Issues and checks stateless BEP 15 connection ids: a keyed MAC over the client's address and a time slot.</summary>
/// <remarks>
/// <para>
/// id = first 8 bytes of HMAC-SHA256(key, slot (8, big-endian) || address (16, IPv4 as ::ffff:a.b.c.d)),
/// with slot = ⌊unix seconds / 120⌋. Nothing is stored per client, and every relay instance given the
/// same key accepts the others' ids. Ids are compared in constant time.
/// </para>
/// <para>
/// The source port is deliberately left out: libtorrent keeps one connection id per tracker for the
/// whole process and reuses it from every socket it owns (several listen sockets, several sessions),
/// each with its own source port. What the id must prove is that the client receives at its address,
/// which is what keeps spoofed requests from being served.
/// </para>
/// <para>
/// Window: at time t an id made in slot k is accepted when ⌊(t − 120 − grace) / 120⌋ ≤ k ≤ ⌊t / 120⌋.
/// An id issued at t₀ therefore stays valid for at least 120 + grace seconds and less than 240 + grace
/// seconds (with the default grace of 60 s: between 3 and 4 minutes; with 180 s: between 5 and 7).
/// </para>
/// <para>
/// Not thread-safe: each receive loop owns one. It remembers the ids it recently issued or verified in
/// a small direct-mapped table, so the common connect-then-announce pair costs one MAC, not two; a
/// miss (or a thrashed table) only costs a MAC again, never a wrong answer.
/// </para>
/// </remarks>
public sealed class ConnectionIds : IDisposable
{
    public const int SlotSeconds = 120;

    /// <summary>The largest grace accepted: ids then live at most 7 minutes.</summary>
    public const int MaxGraceSeconds = 180;

    private const int MessageLength = 24;
    private const int CacheSize = 4096;

    private readonly IncrementalHash _mac;
    private readonly TimeProvider _time;
    private readonly int _graceSeconds;
    private readonly CacheEntry[] _cache = new CacheEntry[CacheSize];

    public ConnectionIds(ReadOnlySpan<byte> key, int graceSeconds, TimeProvider time)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("A connection-id key is at least 16 bytes.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(graceSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(graceSeconds, MaxGraceSeconds);
        _mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        _graceSeconds = graceSeconds;
        _time = time;
    }

    /// <summary>A new id for this client, valid from now for the window described above.</summary>
    /// <param name="address">16 bytes: IPv6, or IPv4 in its mapped form.</param>
    public ulong Issue(ReadOnlySpan<byte> address)
    {
        var slot = CurrentSlot(out _);
        ref var entry = ref Lookup(address, out var high, out var low);
        if (entry.Matches(high, low, slot))
        {
            return entry.Id;
        }

        var id = Compute(slot, address);
        entry = new CacheEntry(high, low, slot, id);
        return id;
    }

    /// <summary>True when <paramref name="connectionId"/> was issued to this address within the window.</summary>
    public bool IsValid(ulong connectionId, ReadOnlySpan<byte> address)
    {
        var newest = CurrentSlot(out var oldest);
        ref var entry = ref Lookup(address, out var high, out var low);
        if (entry.Used && entry.High == high && entry.Low == low && entry.Slot >= oldest && entry.Slot <= newest
            && Equal(entry.Id, connectionId))
        {
            return true;
        }

        for (var slot = newest; slot >= oldest; slot--)
        {
            var id = Compute(slot, address);
            if (Equal(id, connectionId))
            {
                entry = new CacheEntry(high, low, slot, id);
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _mac.Dispose();

    private long CurrentSlot(out long oldest)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        oldest = Math.Max(0, now - SlotSeconds - _graceSeconds) / SlotSeconds;
        return now / SlotSeconds;
    }

    private ulong Compute(long slot, ReadOnlySpan<byte> address)
    {
        Span<byte> message = stackalloc byte[MessageLength];
        BinaryPrimitives.WriteInt64BigEndian(message, slot);
        address[..16].CopyTo(message[8..]);
        Span<byte> mac = stackalloc byte[32];
        _mac.AppendData(message);
        _mac.GetHashAndReset(mac);
        return BinaryPrimitives.ReadUInt64BigEndian(mac);
    }

    private static bool Equal(ulong a, ulong b)
    {
        Span<byte> left = stackalloc byte[8];
        Span<byte> right = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(left, a);
        BinaryPrimitives.WriteUInt64LittleEndian(right, b);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }

    private ref CacheEntry Lookup(ReadOnlySpan<byte> address, out ulong high, out ulong low)
    {
        high = BinaryPrimitives.ReadUInt64BigEndian(address);
        low = BinaryPrimitives.ReadUInt64BigEndian(address[8..16]);

        // HashCode is seeded per process, so clients cannot aim many addresses at one slot on purpose.
        var index = HashCode.Combine(high, low) & (CacheSize - 1);
        return ref _cache[index];
    }

    private readonly record struct CacheEntry(ulong High, ulong Low, long Slot, ulong Id)
    {
        public bool Used => Slot != 0;

        public bool Matches(ulong high, ulong low, long slot) =>
            Used && High == high && Low == low && Slot == slot;
    }
}
