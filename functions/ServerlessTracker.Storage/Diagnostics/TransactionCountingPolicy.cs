using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessTracker.Storage.Diagnostics;

/// <summary>Counts every Table request sent, per attempt (retries are billed too), into <see cref="StorageMetrics"/>.</summary>
internal sealed class TransactionCountingPolicy(StorageMetrics metrics) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            ProcessNext(message, pipeline);
        }
        catch
        {
            metrics.FailedRequest();
            throw;
        }

        metrics.Transaction();
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch
        {
            metrics.FailedRequest();
            throw;
        }

        metrics.Transaction();
    }
}
