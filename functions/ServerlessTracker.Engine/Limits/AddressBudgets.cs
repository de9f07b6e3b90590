using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace ServerlessTracker.Engine.Limits;

/// <summary>What a sender's budget allows for one request.</summary>
public enum BudgetVerdict : byte
{
    Allowed = 0,

    /// <summary>Over budget, for the first time since the bucket last paid for a request: the sender may be told once.</summary>
    FirstRefusal,

    /// <summary>Over budget again: stay silent.</summary>
    Refused,
}

/// <summary>Per-address token buckets in a fixed, 4-way set-associative table, shared by every front door of one process
/// (the HTTP limiter and the UDP relay each hold one): no allocation per request, memory fixed at start.</summary>
/// <remarks>
/// <para>Keys: an IPv4 sender by its address; an IPv6 sender by its <see cref="AddressBudgetSettings.IPv6PrefixLength"/>
/// network (a /64 is one subscriber) <b>and</b> by its <see cref="AddressBudgetSettings.IPv6AggregatePrefixLength"/> site
/// (a /48): a request is paid from both, so a holder of a /48 who rotates through its 65,536 /64s draws on at most
/// <see cref="AddressBudgetSettings.IPv6AggregateMultiple"/> times one network's budget.</para>
/// <para>Nothing refills a budget but time: a new bucket starts with <see cref="AddressBudgetSettings.InitialTokens"/> (a few,
/// not the whole burst), and when a set is full the bucket evicted is the one holding the most tokens (an idle sender's,
/// refilled long ago), never one its owner just emptied; so neither a new address nor crowding the table out hands a
/// spent budget a fresh burst.</para>
/// <para>Sets are chosen by a per-process seeded hash (<see cref="HashCode"/>), so senders cannot aim many addresses at one
/// set, and guarded by one of 64 striped locks. Tokens are kept in thousandths and refilled from the elapsed
/// <see cref="TimeProvider"/> timestamp, so tests drive them with a fake clock.</para>
/// </remarks>
public sealed class AddressBudgets
{
    private const int Ways = 4;
    private const long Milli = 1000;
    private const byte Free = 0;
    private const byte Network = 1;
    private const byte Site = 2;

    private readonly Bucket[] _buckets;
    private readonly Lock[] _locks = new Lock[64];
    private readonly int _setMask;
    private readonly Rate _network;
    private readonly Rate _site;
    private readonly UInt128 _networkMask;
    private readonly UInt128 _siteMask;
    private readonly bool _sites;
    private readonly TimeProvider _time;
    private readonly long _frequency;

    public AddressBudgets(AddressBudgetSettings settings, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.TokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.InitialTokens);
        var sets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, settings.Buckets / Ways));
        _buckets = new Bucket[sets * Ways];
        _setMask = sets - 1;
        _network = new Rate(settings.TokensPerSecond, settings.Burst, settings.InitialTokens, 1);
        _networkMask = Mask(settings.IPv6PrefixLength);
        _sites = settings.IPv6AggregateMultiple > 0 && settings.IPv6AggregatePrefixLength < settings.IPv6PrefixLength;
        _site = new Rate(settings.TokensPerSecond, settings.Burst, settings.InitialTokens, Math.Max(1, settings.IPv6AggregateMultiple));
        _siteMask = Mask(settings.IPv6AggregatePrefixLength);
        _time = time;
        _frequency = time.TimestampFrequency;
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }
    }

    /// <summary>Buckets in the table (the configured count rounded up to a power of two, at least 4).</summary>
    public int Capacity => _buckets.Length;

    /// <summary>Writes <paramref name="address"/> as the 16 bytes <see cref="Take(ReadOnlySpan{byte}, int)"/> reads (IPv4 as ::ffff:a.b.c.d).</summary>
    public static void Write(IPAddress address, Span<byte> address16)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address16[..10].Clear();
            address16[10] = 0xFF;
            address16[11] = 0xFF;
            address.TryWriteBytes(address16[12..], out _);
            return;
        }

        address.TryWriteBytes(address16, out _);
    }

    /// <summary>A key per sender as budgets see them: an IPv4 address, or an IPv6 address's first <paramref name="ipv6PrefixLength"/>
    /// bits (other per-address bounds, such as the listener's slow connections, count by it too).</summary>
    public static UInt128 NetworkKey(IPAddress address, int ipv6PrefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(address, bytes);
        var key = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return (key >> 32) == 0xFFFF ? key : key & Mask(ipv6PrefixLength);
    }

    /// <summary>Takes <paramref name="cost"/> tokens (at least one; at most a bucket's size) from <paramref name="address"/>'s budget.</summary>
    public BudgetVerdict Take(IPAddress address, int cost = 1)
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(address, bytes);
        return Take(bytes, cost);
    }

    /// <summary>Takes <paramref name="cost"/> tokens (at least one; at most a bucket's size) from the sender's budget; an IPv6
    /// sender pays its network's bucket and its site's, or neither.</summary>
    /// <param name="address16">The sender in 16 bytes (IPv4 as ::ffff:a.b.c.d).</param>
    public BudgetVerdict Take(ReadOnlySpan<byte> address16, int cost = 1)
    {
        var address = BinaryPrimitives.ReadUInt128BigEndian(address16);
        var now = _time.GetTimestamp();
        var tokens = Math.Max(1, (long)cost) * Milli;
        if ((address >> 32) == 0xFFFF)
        {
            return Take(address, Network, _network, tokens, now);
        }

        var network = address & _networkMask;
        var verdict = Take(network, Network, _network, tokens, now);
        if (verdict != BudgetVerdict.Allowed || !_sites)
        {
            return verdict;
        }

        verdict = Take(address & _siteMask, Site, _site, tokens, now);
        if (verdict != BudgetVerdict.Allowed)
        {
            // Paid from neither: the network keeps what the site refused.
            Refund(network, Network, _network, tokens);
        }

        return verdict;
    }

    private static UInt128 Mask(int prefixLength) => prefixLength >= 128 ? UInt128.MaxValue : ~(UInt128.MaxValue >> prefixLength);

    private int SetOf(UInt128 key, byte kind) => HashCode.Combine((ulong)(key >> 64), (ulong)key, kind) & _setMask;

    private BudgetVerdict Take(UInt128 key, byte kind, in Rate rate, long tokens, long now)
    {
        tokens = Math.Min(tokens, rate.Capacity);
        var set = SetOf(key, kind);
        lock (_locks[set & (_locks.Length - 1)])
        {
            ref var bucket = ref Find(set * Ways, key, kind, rate, now);
            Refill(ref bucket, rate, now);
            if (bucket.Tokens >= tokens)
            {
                bucket.Tokens -= tokens;
                bucket.Told = false;
                return BudgetVerdict.Allowed;
            }

            if (bucket.Told)
            {
                return BudgetVerdict.Refused;
            }

            bucket.Told = true;
            return BudgetVerdict.FirstRefusal;
        }
    }

    private void Refund(UInt128 key, byte kind, in Rate rate, long tokens)
    {
        tokens = Math.Min(tokens, rate.Capacity);
        var set = SetOf(key, kind);
        lock (_locks[set & (_locks.Length - 1)])
        {
            for (var i = set * Ways; i < (set + 1) * Ways; i++)
            {
                ref var bucket = ref _buckets[i];
                if (bucket.Kind == kind && bucket.Key == key)
                {
                    bucket.Tokens = Math.Min(rate.Capacity, bucket.Tokens + tokens);
                    return;
                }
            }
        }
    }

    /// <summary>The key's bucket, or a new one (with the initial tokens) in place of the way holding the most tokens.</summary>
    private ref Bucket Find(int first, UInt128 key, byte kind, in Rate rate, long now)
    {
        for (var i = first; i < first + Ways; i++)
        {
            ref var candidate = ref _buckets[i];
            if (candidate.Kind == kind && candidate.Key == key)
            {
                return ref candidate;
            }
        }

        var victim = first;
        long most = -1;
        for (var i = first; i < first + Ways; i++)
        {
            ref var candidate = ref _buckets[i];
            var held = candidate.Kind == Free ? long.MaxValue : TokensAt(candidate, candidate.Kind == Site ? _site : _network, now);
            if (held > most)
            {
                most = held;
                victim = i;
            }
        }

        ref var bucket = ref _buckets[victim];
        bucket = new Bucket { Key = key, Kind = kind, Tokens = rate.Initial, RefilledAt = now };
        return ref bucket;
    }

    private long TokensAt(in Bucket bucket, in Rate rate, long now) => Math.Min(rate.Capacity, bucket.Tokens + Earned(now - bucket.RefilledAt, rate));

    private long Earned(long elapsed, in Rate rate)
    {
        if (elapsed <= 0)
        {
            return 0;
        }

        // Enough time to fill any bucket: beyond it the arithmetic could overflow and the answer is "full" anyway.
        if (elapsed >= _frequency * ((rate.Capacity / rate.PerSecond) + 1))
        {
            return rate.Capacity;
        }

        return elapsed <= long.MaxValue / rate.PerSecond
            ? elapsed * rate.PerSecond / _frequency
            : (long)((UInt128)(ulong)elapsed * (ulong)rate.PerSecond / (ulong)_frequency);
    }

    private void Refill(ref Bucket bucket, in Rate rate, long now)
    {
        var fill = Earned(now - bucket.RefilledAt, rate);
        if (fill == 0)
        {
            return;
        }

        bucket.Tokens = Math.Min(rate.Capacity, bucket.Tokens + fill);
        bucket.RefilledAt = now;
    }

    /// <summary>A bucket's size, refill and start, in thousandths of a token.</summary>
    private readonly struct Rate(int perSecond, int burst, int initial, int multiple)
    {
        public readonly long PerSecond = (long)perSecond * multiple * Milli;
        public readonly long Capacity = (long)burst * multiple * Milli;
        public readonly long Initial = Math.Min(initial, burst) * (long)multiple * Milli;
    }

    private struct Bucket
    {
        public UInt128 Key;
        public long Tokens;
        public long RefilledAt;
        public byte Kind;
        public bool Told;
    }
}
