using System.Buffers.Binary;
using System.Numerics;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>What a sender's budget allows for one datagram.</summary>
internal enum BudgetVerdict : byte
{
    Allowed = 0,

    /// <summary>Over budget, for the first time since the bucket last had a token: the sender may be told once.</summary>
    FirstRefusal,

    /// <summary>Over budget again: stay silent.</summary>
    Refused,
}

/// <summary>Token buckets per sender address in a fixed, 4-way set-associative table: no allocation per datagram, bounded memory.</summary>
/// <remarks>
/// Shared by every receive loop, so a set is updated under one of 64 striped locks. Sets are chosen by a per-process
/// seeded hash (<see cref="HashCode"/>), so senders cannot aim many addresses at one set; within a set a new address
/// takes the way refilled longest ago. Tokens are kept in thousandths and refilled from the elapsed
/// <see cref="TimeProvider"/> timestamp, so tests drive them with a fake clock.
/// </remarks>
internal sealed class AddressBudgets
{
    private const int Ways = 4;
    private const long Milli = 1000;

    private readonly Bucket[] _buckets;
    private readonly Lock[] _locks = new Lock[64];
    private readonly int _setMask;
    private readonly long _capacity;
    private readonly long _perSecond;
    private readonly UInt128 _ipv6Mask;
    private readonly TimeProvider _time;
    private readonly long _frequency;

    public AddressBudgets(int packetsPerSecond, int burst, int ipv6PrefixLength, int buckets, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        var sets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, buckets / Ways));
        _buckets = new Bucket[sets * Ways];
        _setMask = sets - 1;
        _capacity = burst * Milli;
        _perSecond = packetsPerSecond * Milli;
        _ipv6Mask = ipv6PrefixLength >= 128 ? UInt128.MaxValue : ~(UInt128.MaxValue >> ipv6PrefixLength);
        _time = time;
        _frequency = time.TimestampFrequency;
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }
    }

    /// <summary>Takes one token from the sender's bucket.</summary>
    /// <param name="address16">The sender in 16 bytes (IPv4 as ::ffff:a.b.c.d).</param>
    public BudgetVerdict Take(ReadOnlySpan<byte> address16)
    {
        var key = BinaryPrimitives.ReadUInt128BigEndian(address16);
        if (!IsIPv4Mapped(key))
        {
            key &= _ipv6Mask;
        }

        var now = _time.GetTimestamp();
        var set = HashCode.Combine((ulong)(key >> 64), (ulong)key) & _setMask;
        lock (_locks[set & (_locks.Length - 1)])
        {
            ref var bucket = ref Find(set * Ways, key, now);
            Refill(ref bucket, now);
            if (bucket.Tokens >= Milli)
            {
                bucket.Tokens -= Milli;
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

    private static bool IsIPv4Mapped(UInt128 key) => (key >> 32) == 0xFFFF;

    private ref Bucket Find(int first, UInt128 key, long now)
    {
        var victim = first;
        for (var i = first; i < first + Ways; i++)
        {
            ref var candidate = ref _buckets[i];
            if (candidate.Used && candidate.Key == key)
            {
                return ref candidate;
            }

            if (!candidate.Used || (_buckets[victim].Used && candidate.RefilledAt < _buckets[victim].RefilledAt))
            {
                victim = i;
            }
        }

        ref var bucket = ref _buckets[victim];
        bucket = new Bucket { Key = key, Used = true, Tokens = _capacity, RefilledAt = now };
        return ref bucket;
    }

    private void Refill(ref Bucket bucket, long now)
    {
        var elapsed = now - bucket.RefilledAt;
        if (elapsed <= 0)
        {
            return;
        }

        // Enough time to fill any bucket: beyond it the arithmetic could overflow and the answer is "full" anyway.
        var fill = elapsed >= _frequency * ((_capacity / _perSecond) + 1)
            ? _capacity
            : (long)((UInt128)(ulong)elapsed * (ulong)_perSecond / (ulong)_frequency);
        if (fill == 0)
        {
            return;
        }

        bucket.Tokens = Math.Min(_capacity, bucket.Tokens + fill);
        bucket.RefilledAt = now;
    }

    private struct Bucket
    {
        public UInt128 Key;
        public long Tokens;
        public long RefilledAt;
        public bool Used;
        public bool Told;
    }
}
