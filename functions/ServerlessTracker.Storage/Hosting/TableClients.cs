using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using ServerlessTracker.Storage.Diagnostics;

namespace ServerlessTracker.Storage.Hosting;

/// <summary>Builds the Table service client: endpoint and identity from options, SDK retries, the transaction counter; and
/// gives other storage clients of the account (the full-scrape blob) the same retries and identity.</summary>
public static class TableClients
{
    // Reading rows as TableEntity makes the SDK construct one through Activator.CreateInstance, which the trimmer cannot
    // see: without this the Native AOT binaries lose the constructor and fail every read (their Azurite tests catch it).
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    public static TableServiceClient CreateService(TableStoreOptions options, StorageMetrics metrics)
    {
        var clientOptions = new TableClientOptions();
        ApplyRetries(clientOptions.Retry, options);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMilliseconds);
        clientOptions.AddPolicy(new TransactionCountingPolicy(metrics), HttpPipelinePosition.PerRetry);

        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new TableServiceClient(options.ServiceUri!, Credential(options), clientOptions)
            : new TableServiceClient(options.ConnectionString, clientOptions);
    }

    /// <summary>Creates the table unless it exists.</summary>
    /// <remarks><c>TableClient.CreateIfNotExistsAsync</c> writes its request body with reflection-based JSON, which the
    /// Native AOT server and relay do not have; <c>CreateAsync</c> uses the SDK's generated serializer.</remarks>
    public static async Task CreateIfMissingAsync(TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await table.CreateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            // Created before, by this or another instance.
        }
    }

    /// <summary>The SDK's exponential retries within the store's budget (<see cref="TableStoreOptions.RetryBudgetMilliseconds"/>).</summary>
    public static void ApplyRetries(RetryOptions retry, TableStoreOptions options)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = options.MaxRetries;
        retry.Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds);
        retry.MaxDelay = TimeSpan.FromMilliseconds(Math.Max(options.RetryDelayMilliseconds, options.RetryBudgetMilliseconds / 2));
    }

    /// <summary>The identity storage is reached with when no connection string is set.</summary>
    public static TokenCredential Credential(TableStoreOptions options)
    {
        // Only override when configured: a null here would hide AZURE_CLIENT_ID (the user-assigned identity) from the credential.
        var credentialOptions = new DefaultAzureCredentialOptions();
        if (!string.IsNullOrEmpty(options.ManagedIdentityClientId))
        {
            credentialOptions.ManagedIdentityClientId = options.ManagedIdentityClientId;
        }

        return new DefaultAzureCredential(credentialOptions);
    }
}
