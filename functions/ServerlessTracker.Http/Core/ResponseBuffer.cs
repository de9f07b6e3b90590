using System.Buffers;

namespace ServerlessTracker.Http.Core;

/// <summary>A reusable, pool-backed <see cref="IBufferWriter{T}"/> that holds one answer's body until its length is known,
/// or a body shared by many answers (<see cref="Share"/>: a full scrape's snapshot) that is sent as it is.</summary>
/// <remarks>HTTP needs the Content-Length before the body, and the writers only know the exact length once they have written:
/// the body goes here first, then to the wire. Instances are pooled (<see cref="ResponseBufferPolicy"/>), so the array
/// behind them is rented once and reused across requests. A shared body is never copied here: transports send
/// <see cref="Body"/> straight from the snapshot, and <see cref="Reset"/> (after the last byte went out, or when the buffer
/// returns to its pool) releases what it holds (the full scrape's slot).</remarks>
public sealed class ResponseBuffer : IBufferWriter<byte>
{
    /// <summary>Arrays above this size go back to the shared pool when the buffer is reset (a full scrape should not pin its size).</summary>
    public const int RetainedCapacity = 64 * 1024;

    private byte[] _buffer = [];
    private int _written;
    private ReadOnlyMemory<byte> _shared;
    private IDisposable? _lease;

    /// <summary>Bytes written so far (none when the body is shared).</summary>
    public int WrittenCount => _written;

    /// <summary>Whether the body is a shared one (<see cref="Share"/>) rather than what was written.</summary>
    public bool IsShared => _lease is not null;

    /// <summary>The answer's body: the shared one, or what was written.</summary>
    public ReadOnlyMemory<byte> Body => _lease is not null ? _shared : WrittenMemory;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Makes <paramref name="body"/> the answer's body, held until <see cref="Reset"/> disposes <paramref name="lease"/>;
    /// anything written is discarded.</summary>
    public void Share(ReadOnlyMemory<byte> body, IDisposable lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _lease?.Dispose();
        _written = 0;
        _shared = body;
        _lease = lease;
    }

    /// <summary>Forgets what was written and lets a shared body go; keeps the array unless it grew beyond <see cref="RetainedCapacity"/>.</summary>
    public void Reset()
    {
        _written = 0;
        var lease = _lease;
        _lease = null;
        _shared = default;
        lease?.Dispose();
        if (_buffer.Length > RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Reserve(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_written + sizeHint, 1024));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
