using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Operator changes made here (passkeys, figures, list entries) waiting to be published: bounded, never blocking;
/// when full the oldest change goes (counted), and the periodic resync brings it back.</summary>
public sealed class OperatorSyncQueue
{
    private readonly Channel<OperatorChange> _channel;

    public OperatorSyncQueue(IOptions<SyncOptions> options, SyncMetrics metrics) =>
        _channel = Channel.CreateBounded<OperatorChange>(
            new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.OperatorDropped(1));

    public ChannelReader<OperatorChange> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public void Enqueue(OperatorChange change) => _channel.Writer.TryWrite(change);

    /// <summary>No more changes: lets the publisher drain and stop.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
