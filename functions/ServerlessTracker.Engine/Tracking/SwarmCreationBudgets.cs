using System.Buffers.Binary;
using System.Numerics;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>The swarm-creation budget of every address (<see cref="SwarmCreationSettings"/>): token buckets in a fixed,
/// 4-way set-associative table, so memory is bounded whatever addresses come, and nothing is allocated per call.</summary>
/// <remarks>
/// A set is chosen by a per-process seeded hash (<see cref="HashCode"/>), so clients cannot aim their addresses at one set;
/// within a set a new address takes the way used longest ago. Sets are updated under one of 64 striped locks. Tokens are
/// refilled from the elapsed <see cref="TimeProvider"/> timestamp, so tests drive them with a fake clock.
/// </remarks>
public sealed class SwarmCreationBudgets
{
    private const int Ways = 4;

    private readonly Bucket[] _buckets;
    private readonly Lock[] _locks = new Lock[64];
    private readonly int _setMask;
    private readonly double _capacity;
    private readonly double _windowTicks;
    private readonly int _windowSeconds;
    private readonly UInt128 _ipv6Mask;
    private readonly TimeProvider _time;

    public SwarmCreationBudgets(SwarmCreationSettings settings, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.PerAddress);
        var sets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, settings.Addresses / Ways));
        _buckets = new Bucket[sets * Ways];
        _setMask = sets - 1;
        _capacity = settings.PerAddress;
        _windowSeconds = settings.WindowSeconds;
        _windowTicks = (double)settings.WindowSeconds * time.TimestampFrequency;
        _ipv6Mask = settings.IPv6PrefixLength >= 128 ? UInt128.MaxValue : ~(UInt128.MaxValue >> settings.IPv6PrefixLength);
        _time = time;
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }
    }

    /// <summary>Takes one swarm from <paramref name="address"/>'s budget; when none is left, false and the seconds until one is.</summary>
    public bool TryTake(PeerAddress address, out int retryInSeconds)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.Write16(bytes);
        var key = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        if (!address.IsIPv4)
        {
            key &= _ipv6Mask;
        }

        var now = _time.GetTimestamp();
        var set = HashCode.Combine((ulong)(key >> 64), (ulong)key) & _setMask;
        lock (_locks[set & (_locks.Length - 1)])
        {
            ref var bucket = ref Find(set * Ways, key, now);
            var elapsed = now - bucket.Stamp;
            bucket.Tokens = elapsed >= _windowTicks ? _capacity : Math.Min(_capacity, bucket.Tokens + (elapsed * _capacity / _windowTicks));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryInSeconds = 0;
                return true;
            }

            retryInSeconds = (int)Math.Clamp(Math.Ceiling((1 - bucket.Tokens) * _windowSeconds / _capacity), 1, _windowSeconds);
            return false;
        }
    }

    private ref Bucket Find(int first, UInt128 key, long now)
    {
        var oldest = first;
        for (var way = first; way < first + Ways; way++)
        {
            ref var bucket = ref _buckets[way];
            if (bucket.Used && bucket.Key == key)
            {
                return ref bucket;
            }

            if (!bucket.Used || (_buckets[oldest].Used && bucket.Stamp < _buckets[oldest].Stamp))
            {
                oldest = way;
            }
        }

        // A new address (or one pushed out since) starts with a full budget.
        ref var taken = ref _buckets[oldest];
        taken = new Bucket { Key = key, Tokens = _capacity, Stamp = now, Used = true };
        return ref taken;
    }

    private struct Bucket
    {
        public UInt128 Key;
        public double Tokens;
        public long Stamp;
        public bool Used;
    }
}
