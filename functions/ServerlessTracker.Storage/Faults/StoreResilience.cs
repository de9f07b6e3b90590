using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Faults;

/// <summary>The fault budget around every Table operation: a total time budget and a circuit breaker.</summary>
/// <remarks>
/// The Azure SDK retries each request (throttling 429/500/503, 408, network errors) with jittered exponential backoff
/// (<see cref="TableStoreOptions.MaxRetries"/>); this pipeline bounds the whole operation in time and, after repeated
/// faults, refuses at once for <see cref="TableStoreOptions.BreakSeconds"/> so requests do not queue behind a dead
/// service, then lets a trial through: recovery needs no restart. Real time, never the store's (fake) clock.
/// </remarks>
internal sealed partial class StoreResilience
{
    private readonly ResiliencePipeline _pipeline;
    private readonly ResiliencePipeline _background;
    private readonly ILogger _logger;

    public StoreResilience(TableStoreOptions options, ILogger logger)
    {
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(options.BreakSeconds),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsFault),
                OnOpened = args =>
                {
                    LogOpened(_logger, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.Message);
                    return default;
                },
                OnClosed = _ =>
                {
                    LogClosed(_logger);
                    return default;
                },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(options.RetryBudgetMilliseconds))
            .Build();

        // Recounts and purge read whole partitions page by page: no announce waits on them, so they get a longer budget.
        _background = new ResiliencePipelineBuilder()
            .AddTimeout(TimeSpan.FromMilliseconds(Math.Max(60_000, options.RetryBudgetMilliseconds * 10)))
            .Build();
    }

    /// <summary>Runs one Table operation within the budget; faults surface as exceptions for <see cref="IsFault"/>.</summary>
    public ValueTask<TResult> ExecuteAsync<TResult, TState>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(WatchAsync, (operation, state, this), cancellationToken);

    /// <summary>Submits one entity group transaction within the budget (the group commits' write).</summary>
    public async Task SubmitTransactionAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions) =>
        await ExecuteAsync(static async (s, ct) =>
        {
            await s.table.SubmitTransactionAsync(s.actions, ct).ConfigureAwait(false);
            return true;
        }, (table, actions), CancellationToken.None).ConfigureAwait(false);

    /// <summary>Runs background work (recount, purge) with a longer budget and outside the circuit breaker.</summary>
    public ValueTask<TResult> ExecuteBackgroundAsync<TResult, TState>(Func<TState, CancellationToken, ValueTask<TResult>> operation, TState state, CancellationToken cancellationToken) =>
        _background.ExecuteAsync(WatchAsync, (operation, state, this), cancellationToken);

    /// <summary>Called when a table is missing (deleted, or an emulator restarted empty), so the store creates it again.</summary>
    public Action? TableMissing { get; set; }

    private static async ValueTask<TResult> WatchAsync<TResult, TState>((Func<TState, CancellationToken, ValueTask<TResult>> Operation, TState State, StoreResilience Self) s, CancellationToken cancellationToken)
    {
        try
        {
            return await s.Operation(s.State, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException missing) when (missing.ErrorCode == "TableNotFound")
        {
            s.Self.TableMissing?.Invoke();
            throw;
        }
    }

    /// <summary>A storage fault (unavailable, throttled, timed out, refused, circuit open), as opposed to a logical outcome such as a conflict.</summary>
    public static bool IsFault(Exception exception) => exception switch
    {
        BrokenCircuitException or TimeoutRejectedException or TimeoutException or HttpRequestException or IOException => true,
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500 || failed.ErrorCode == "TableNotFound",
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsFault),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table storage failing: refusing store operations for {Seconds} s ({Reason})")]
    private static partial void LogOpened(ILogger logger, double seconds, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Table storage answering again")]
    private static partial void LogClosed(ILogger logger);
}
