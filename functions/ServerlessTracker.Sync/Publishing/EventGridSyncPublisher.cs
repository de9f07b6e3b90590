using Azure.Messaging.EventGrid;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Drains the sync queue into CloudEvents on this region's Event Grid topic: batched, retried, flushed on shutdown.</summary>
/// <remarks>
/// A batch goes out when it is full or when its first change has waited the flush interval. A batch that
/// cannot be published within the attempt budget is dropped and counted: peers re-announce every interval,
/// so a lost change heals itself, while an unbounded backlog would not.
/// </remarks>
public sealed partial class EventGridSyncPublisher(
    SyncQueue queue,
    EventGridPublisherClient client,
    IOptions<SyncOptions> options,
    IOptions<RegionOptions> region,
    SyncMetrics metrics,
    TimeProvider time,
    ILogger<EventGridSyncPublisher> logger) : IHostedService
{
    public const string EventType = "dev.serverlesstracker.peers.v1";

    private readonly SyncOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _stopping;

    public static string SourceFor(string regionName) => "/regions/" + regionName;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Flush what is queued, with one retry per batch: shutdown must not wait out a long outage.
        _stopping = true;
        queue.Complete();
        await using var abort = cancellationToken.Register(_abort.Cancel);
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            metrics.Dropped(queue.Count);
        }
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var capacity = _options.MaxChangesPerEvent * _options.MaxEventsPerPublish;
        var batch = new List<PeerUpdate>(capacity);
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(abort))
            {
                if (reader.Count < capacity && !reader.Completion.IsCompleted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds), time, abort);
                }

                while (batch.Count < capacity && reader.TryRead(out var update))
                {
                    batch.Add(update);
                }

                await PublishAsync(batch, abort);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            metrics.Dropped(batch.Count);
        }
    }

    private async Task PublishAsync(List<PeerUpdate> batch, CancellationToken abort)
    {
        var events = new List<SyncCloudEvent>(_options.MaxEventsPerPublish);
        var source = SourceFor(region.Value.Region);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch);
        for (var offset = 0; offset < span.Length; offset += _options.MaxChangesPerEvent)
        {
            var chunk = span.Slice(offset, Math.Min(_options.MaxChangesPerEvent, span.Length - offset));
            events.Add(SyncCloudEvent.Binary(source, EventType, PeerUpdateBatchCodec.Encode(chunk), time.GetUtcNow()));
        }

        var body = CloudEventJson.EncodeBatch(events);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.SendEncodedCloudEventsAsync(body, abort);
                metrics.Published(batch.Count);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !abort.IsCancellationRequested)
            {
                metrics.PublishFailed();
                if (attempt >= (_stopping ? Math.Min(2, _options.MaxPublishAttempts) : _options.MaxPublishAttempts))
                {
                    LogDropped(logger, batch.Count, attempt, exception);
                    metrics.Dropped(batch.Count);
                    return;
                }

                LogRetrying(logger, batch.Count, attempt, exception.Message);
                await Task.Delay(Backoff(attempt), time, abort);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.MaxBackoffMilliseconds, 100 * (1 << Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds(Random.Shared.Next(ceiling / 2, ceiling + 1));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Changes} peer changes failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetrying(ILogger logger, int changes, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped {Changes} peer changes after {Attempts} failed publish attempts")]
    private static partial void LogDropped(ILogger logger, int changes, int attempts, Exception exception);
}
