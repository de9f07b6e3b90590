using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>The bounded queue between announces and the publisher: never blocks an announce; when full, the oldest change goes.</summary>
public sealed class SyncQueue
{
    private readonly Channel<PeerUpdate> _channel;

    public SyncQueue(IOptions<SyncOptions> options, SyncMetrics metrics) =>
        _channel = Channel.CreateBounded<PeerUpdate>(
            new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.Dropped(1));

    public ChannelReader<PeerUpdate> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public void Enqueue(in PeerUpdate update) => _channel.Writer.TryWrite(update);

    /// <summary>No more changes: lets the publisher drain and stop.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
