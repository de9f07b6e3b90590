using System.Threading.Channels;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>A bounded queue in front of a publisher: writing never blocks; when full, the oldest item goes and is counted.</summary>
public abstract class DropOldestQueue<T>
{
    private readonly Channel<T> _channel;

    protected DropOldestQueue(int capacity, Action dropped) =>
        _channel = Channel.CreateBounded<T>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => dropped());

    public ChannelReader<T> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public void Enqueue(in T item) => _channel.Writer.TryWrite(item);

    /// <summary>No more items: lets the publisher drain and stop.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
