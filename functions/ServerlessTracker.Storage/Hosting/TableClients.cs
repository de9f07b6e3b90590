using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using ServerlessTracker.Storage.Diagnostics;

namespace ServerlessTracker.Storage.Hosting;

/// <summary>Builds the Table service client: endpoint and identity from options, SDK retries, the transaction counter.</summary>
public static class TableClients
{
    public static TableServiceClient CreateService(TableStoreOptions options, StorageMetrics metrics)
    {
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds);
        clientOptions.Retry.MaxDelay = TimeSpan.FromMilliseconds(Math.Max(options.RetryDelayMilliseconds, options.RetryBudgetMilliseconds / 2));
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMilliseconds);
        clientOptions.AddPolicy(new TransactionCountingPolicy(metrics), HttpPipelinePosition.PerRetry);

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TableServiceClient(options.ConnectionString, clientOptions);
        }

        // Only override when configured: a null here would hide AZURE_CLIENT_ID (the user-assigned identity) from the credential.
        var credentialOptions = new DefaultAzureCredentialOptions();
        if (!string.IsNullOrEmpty(options.ManagedIdentityClientId))
        {
            credentialOptions.ManagedIdentityClientId = options.ManagedIdentityClientId;
        }

        var credential = new DefaultAzureCredential(credentialOptions);
        return new TableServiceClient(options.ServiceUri!, credential, clientOptions);
    }
}
