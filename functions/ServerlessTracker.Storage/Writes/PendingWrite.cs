using Azure.Data.Tables;

namespace ServerlessTracker.Storage.Writes;

/// <summary>One announce's row change waiting for its partition's next batch; the announce awaits <see cref="Stored"/>.</summary>
internal sealed class PendingWrite(TableEntity entity, bool countedCompletion, TableEntity? marker = null, bool insertOnly = false)
{
    private readonly TaskCompletionSource<bool> _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TableEntity Entity { get; } = entity;

    public string RowKey => Entity.RowKey;

    /// <summary>A second row written in the same transaction: the marker of a counted remote completion.</summary>
    public TableEntity? Marker { get; } = marker;

    /// <summary>This write carries a peer's first counted <c>completed</c>: the batch bumps the instance's delta row with it.</summary>
    public bool CountedCompletion { get; } = countedCompletion;

    /// <summary>The row must not exist yet: the batch inserts it (<c>Add</c>) rather than replacing it, and if it does exist
    /// the write is not stored and <see cref="RowExisted"/> says so (the announce then reads the row and is judged again).</summary>
    public bool InsertOnly { get; } = insertOnly;

    /// <summary>Set when an insert-only write found its row there: nothing was stored.</summary>
    public bool RowExisted { get; private set; }

    /// <summary>True once the row is durable, false when storage failed or an insert-only row existed.</summary>
    public Task<bool> Stored => _stored.Task;

    public void Complete(bool stored) => _stored.TrySetResult(stored);

    /// <summary>An insert-only write whose row existed: not stored.</summary>
    public void CompleteExisting()
    {
        RowExisted = true;
        _stored.TrySetResult(false);
    }
}
