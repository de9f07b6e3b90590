namespace ServerlessTracker.Hosting.Settings;

/// <summary>Fails the start when a key under <c>Tracker:</c> or <c>Relay:</c> is read by no options class (a typo would
/// otherwise leave a default silently in force). Registered first, so nothing starts serving before it has run.</summary>
internal sealed class UnknownSettingsCheck(IConfiguration configuration, IEnumerable<SettingsSection> sections) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var unknown = SettingsSchema.FindUnknown(configuration, sections);
        return unknown.Count == 0 ? Task.CompletedTask : throw new InvalidOperationException(SettingsSchema.Describe(unknown));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
