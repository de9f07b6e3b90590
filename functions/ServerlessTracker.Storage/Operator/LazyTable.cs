using Azure.Data.Tables;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Operator;

/// <summary>A table client that creates its table on first use (once it succeeded, never again), so a store works
/// whether or not storage was reachable when the app started.</summary>
internal sealed class LazyTable(TableServiceClient service, string name)
{
    private readonly TableClient _client = service.GetTableClient(name);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _created;

    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return _client;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await TableClients.CreateIfMissingAsync(_client, cancellationToken).ConfigureAwait(false);
                _created = true;
            }

            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }
}
