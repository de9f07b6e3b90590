using Azure.Data.Tables;

namespace ServerlessTracker.Storage.Writes;

/// <summary>One announce's row change waiting for its partition's next batch; the announce awaits <see cref="Stored"/>.</summary>
internal sealed class PendingWrite(TableEntity entity, bool countedCompletion, TableEntity? marker = null)
{
    private readonly TaskCompletionSource<bool> _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TableEntity Entity { get; } = entity;

    public string RowKey => Entity.RowKey;

    /// <summary>A second row written in the same transaction: the marker of a counted remote completion.</summary>
    public TableEntity? Marker { get; } = marker;

    /// <summary>This write carries a peer's first counted <c>completed</c>: the batch bumps the instance's delta row with it.</summary>
    public bool CountedCompletion { get; } = countedCompletion;

    /// <summary>True once the row is durable, false when storage failed.</summary>
    public Task<bool> Stored => _stored.Task;

    public void Complete(bool stored) => _stored.TrySetResult(stored);
}
