using Azure.Messaging.EventGrid;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Publishes operator changes (passkeys, their figures, the access lists) to this region's Event Grid topic, beside
/// the peer changes, as <see cref="EventType"/> CloudEvents; and every <see cref="SyncOptions.OperatorResyncSeconds"/>
/// publishes this region's whole operator state again.</summary>
/// <remarks>
/// Changes are states that merge in any order (<see cref="OperatorChangeBatch"/>), so a resync is as harmless as a
/// replay: it heals what a failed publish or a region that was down missed, and fills a region added later. Figures are
/// sent only when the policy flushes them (every <c>Tracker:Policy:FlushSeconds</c>), never per announce; a resync sends
/// only this region's figures rows (each region speaks for its own instances, including ones that are gone).
/// </remarks>
public sealed partial class OperatorSyncPublisher(
    OperatorSyncQueue queue,
    EventGridPublisherClient client,
    IOptions<SyncOptions> options,
    IOptions<RegionOptions> region,
    SyncMetrics metrics,
    TimeProvider time,
    IServiceProvider services,
    ILogger<OperatorSyncPublisher> logger) : IHostedService
{
    public const string EventType = "dev.serverlesstracker.operator.v1";

    private readonly SyncOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopResync = new();
    private Task _loop = Task.CompletedTask;
    private Task _resync = Task.CompletedTask;
    private volatile bool _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        if (_options.OperatorResyncSeconds > 0)
        {
            _resync = Task.Run(() => ResyncLoopAsync(_stopResync.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <remarks>Registered to stop after the policy's last flush, so the final figures go out too.</remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await _stopResync.CancelAsync();
        queue.Complete();
        await using var abort = cancellationToken.Register(_abort.Cancel);
        try
        {
            await Task.WhenAll(_loop, _resync).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            metrics.OperatorDropped(queue.Count);
        }
    }

    /// <summary>Publishes this region's whole operator state now (what the periodic resync does).</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var changes = new List<OperatorChange>();
        if (services.GetService(typeof(IPasskeyStore)) is IPasskeyStore passkeys)
        {
            foreach (var record in await passkeys.ListAsync(null, cancellationToken))
            {
                changes.Add(PasskeyChange.From(record));
            }

            foreach (var usage in await passkeys.ListUsageAsync(cancellationToken))
            {
                var origin = UsageOrigin.RegionOf(usage.Origin);
                if (origin is null || origin == region.Value.Region)
                {
                    changes.Add(UsageChange.From(usage));
                }
            }
        }

        if (services.GetService(typeof(IInfoHashListStore)) is IInfoHashListStore infoHashes)
        {
            foreach (var rule in await infoHashes.ListAsync(cancellationToken))
            {
                changes.Add(InfoHashChange.From(rule));
            }
        }

        if (services.GetService(typeof(IIpAllowListStore)) is IIpAllowListStore ips)
        {
            foreach (var record in await ips.ListAsync(cancellationToken))
            {
                changes.Add(IpChange.From(record));
            }
        }

        if (services.GetService(typeof(IClientListStore)) is IClientListStore clients)
        {
            foreach (var rule in await clients.ListAsync(cancellationToken))
            {
                changes.Add(ClientChange.From(rule));
            }
        }

        if (services.GetService(typeof(ITorrentFactorStore)) is ITorrentFactorStore factors)
        {
            foreach (var factor in await factors.ListAsync(cancellationToken))
            {
                changes.Add(FactorChange.Of(factor));
            }
        }

        for (var offset = 0; offset < changes.Count; offset += _options.MaxChangesPerEvent * _options.MaxEventsPerPublish)
        {
            await PublishAsync(changes.GetRange(offset, Math.Min(_options.MaxChangesPerEvent * _options.MaxEventsPerPublish, changes.Count - offset)), cancellationToken);
        }

        LogResynced(logger, changes.Count);
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var capacity = _options.MaxChangesPerEvent * _options.MaxEventsPerPublish;
        var batch = new List<OperatorChange>(Math.Min(capacity, 1024));
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(abort))
            {
                if (reader.Count < capacity && !reader.Completion.IsCompleted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds), time, abort);
                }

                while (batch.Count < capacity && reader.TryRead(out var change))
                {
                    batch.Add(change);
                }

                await PublishAsync(batch, abort);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            metrics.OperatorDropped(batch.Count);
        }
    }

    private async Task ResyncLoopAsync(CancellationToken stop)
    {
        var period = TimeSpan.FromSeconds(_options.OperatorResyncSeconds);
        try
        {
            // A random start within the period: the instances of a region spread their resyncs over it.
            await Task.Delay(period * Random.Shared.NextDouble(), time, stop);
            using var timer = new PeriodicTimer(period, time);
            do
            {
                try
                {
                    await ResyncAsync(stop);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogResyncFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PublishAsync(List<OperatorChange> changes, CancellationToken abort)
    {
        var events = new List<SyncCloudEvent>();
        var source = EventGridSyncPublisher.SourceFor(region.Value.Region);
        for (var offset = 0; offset < changes.Count; offset += _options.MaxChangesPerEvent)
        {
            var batch = new OperatorChangeBatch();
            for (var i = offset; i < Math.Min(offset + _options.MaxChangesPerEvent, changes.Count); i++)
            {
                batch.Add(changes[i]);
            }

            events.Add(SyncCloudEvent.Json(source, EventType, batch.Encode(), time.GetUtcNow()));
        }

        var body = CloudEventJson.EncodeBatch(events);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.SendEncodedCloudEventsAsync(body, abort);
                metrics.OperatorPublished(changes.Count);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !abort.IsCancellationRequested)
            {
                metrics.PublishFailed();
                if (attempt >= (_stopping ? Math.Min(2, _options.MaxPublishAttempts) : _options.MaxPublishAttempts))
                {
                    // The next resync publishes the state again.
                    LogDropped(logger, changes.Count, attempt, exception);
                    metrics.OperatorDropped(changes.Count);
                    return;
                }

                var ceiling = Math.Min(_options.MaxBackoffMilliseconds, 100 * (1 << Math.Min(attempt, 16)));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(ceiling / 2, ceiling + 1)), time, abort);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped {Changes} operator changes after {Attempts} failed publish attempts; the next resync sends them again")]
    private static partial void LogDropped(ILogger logger, int changes, int attempts, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resynced {Changes} operator changes to the other regions")]
    private static partial void LogResynced(ILogger logger, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator resync failed; the next period tries again")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);
}
