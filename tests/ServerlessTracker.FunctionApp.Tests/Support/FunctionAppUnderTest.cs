using System.Reflection;
using ServerlessTracker.FunctionApp.Tests.Host;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.FunctionApp.Tests.Support;

/// <summary>The published function app (functions/ServerlessTracker.FunctionApp) under the emulated Functions host, as the
/// HTTP contract tests see a tracker.</summary>
public sealed class FunctionAppUnderTest : ITrackerUnderTest
{
    /// <summary>The key the emulated host expects on function-key routes (<c>?code=</c> or <c>x-functions-key</c>).</summary>
    public const string FunctionKey = "test-function-key";

    /// <summary>The header the emulated App Service front end turns into <c>client-ip</c>: lets one loopback test play many peers.</summary>
    public const string ClientAddressHeader = "x-test-client-ip";

    /// <summary>What the app needs from its settings in every test (the Bicep sets these in Azure).</summary>
    public static IReadOnlyDictionary<string, string?> RequiredSettings { get; } = new Dictionary<string, string?>
    {
        ["PurgeSchedule"] = "0 */1 * * * *",
    };

    private static readonly Lock LogGate = new();

    private FunctionAppUnderTest(FunctionsHostEmulator host)
    {
        Host = host;
        Client = host.CreateClient();
    }

    public FunctionsHostEmulator Host { get; }

    public HttpClient Client { get; }

    public Uri BaseV4 => Host.BaseAddress;

    public Uri? BaseV6 => Host.IPv6BaseAddress;

    public bool ThroughFunctionsHost => true;

    public static string ProjectPath =>
        typeof(FunctionAppUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionAppProject").Value!;

    /// <summary>Publishes the app (once per test run) and starts it under a new emulated host with <paramref name="settings"/>
    /// as app settings (configuration keys such as <c>Tracker:Swarm:...</c> are passed as <c>Tracker__Swarm__...</c>).</summary>
    public static async Task<FunctionAppUnderTest> StartAsync(IDictionary<string, string?>? settings = null, EmulatorOptions? options = null)
    {
        var published = await PublishedWorker.PublishAsync(ProjectPath);
        var appSettings = new Dictionary<string, string?>(RequiredSettings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            appSettings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var host = await FunctionsHostEmulator.StartAsync(
            published, appSettings, options ?? new EmulatorOptions { FunctionKey = FunctionKey, ClientAddressHeader = ClientAddressHeader, Log = LogToFile() });
        return new FunctionAppUnderTest(host);
    }

    // ST_FUNCTIONAPP_LOG names a file that receives every worker's output and logs (docs/functions-host.md).
    private static Action<string>? LogToFile()
    {
        if (Environment.GetEnvironmentVariable("ST_FUNCTIONAPP_LOG") is not { Length: > 0 } file)
        {
            return null;
        }

        return line =>
        {
            lock (LogGate)
            {
                File.AppendAllText(file, line + "\n");
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
