using System.Reflection;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The probe worker (TestWorker/), published once per test run and started once per collection under the
/// emulator. Tests that need their own worker (shutdown, a missing setting) start one from <see cref="PublishDirectory"/>.
/// </summary>
public sealed class TestWorkerFixture : IAsyncLifetime
{
    public const string Schedule = "0 */5 * * * *";

    /// <summary>What the probe worker needs: the setting its timer's <c>%TestSchedule%</c> names.</summary>
    public static IReadOnlyDictionary<string, string?> AppSettings { get; } = new Dictionary<string, string?> { ["TestSchedule"] = Schedule };

    public static EmulatorOptions Options { get; } = new() { ClientAddressHeader = "x-test-client-ip" };

    public string PublishDirectory { get; private set; } = "";

    public FunctionsHostEmulator Emulator { get; private set; } = null!;

    public static string ProjectPath =>
        typeof(TestWorkerFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestWorkerProject").Value!;

    public async Task InitializeAsync()
    {
        PublishDirectory = await PublishedWorker.PublishAsync(ProjectPath);
        Emulator = await FunctionsHostEmulator.StartAsync(PublishDirectory, AppSettings, Options);
    }

    public async Task DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TestWorkerCollection : ICollectionFixture<TestWorkerFixture>
{
    public const string Name = "Functions host emulator with the probe worker";
}
