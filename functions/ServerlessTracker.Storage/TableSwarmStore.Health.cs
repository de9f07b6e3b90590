using Azure;
using Azure.Data.Tables;

namespace ServerlessTracker.Storage;

/// <summary>The readiness probe: one cheap, real request to the account, outside the store's retry budget and circuit
/// breaker, so it tells whether storage answers now rather than what the store last saw.</summary>
public sealed partial class TableSwarmStore
{
    // No row of the index table has this partition key (theirs are "i" and a hex digit): the query reads nothing.
    private const string ProbeFilter = "PartitionKey eq '~health'";
    private static readonly string[] ProbeSelect = ["PartitionKey"];

    /// <summary>Creates the tables if that has not happened yet (storage down at start, or found missing since), then queries one
    /// empty partition of the registry table: one transaction. Throws what the SDK throws when storage does not answer.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await QueryProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException missing) when (missing.ErrorCode == "TableNotFound" && _options.CreateTables)
        {
            // Deleted, or an emulator restarted empty: create them again now, as the store's next use would.
            _tablesReady = false;
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            await QueryProbeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task QueryProbeAsync(CancellationToken cancellationToken)
    {
        await foreach (var page in _index.QueryAsync<TableEntity>(ProbeFilter, maxPerPage: 1, ProbeSelect, cancellationToken).AsPages().ConfigureAwait(false))
        {
            // The first page is the answer; asking for a second would cost another transaction for nothing.
            _ = page;
            break;
        }
    }
}
