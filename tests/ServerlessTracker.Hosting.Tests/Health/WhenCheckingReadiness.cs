using System.Net.Http;
using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Hosting.Health;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Hosting.Tests.Health;

public sealed class WhenCheckingReadiness
{
    [Fact]
    public async Task ProbesArrivingTogetherShareOneRun()
    {
        var check = new GatedCheck();
        var (readiness, _) = Build(check);

        var probes = Enumerable.Range(0, 10).Select(_ => readiness.CheckAsync()).ToList();
        check.Open();
        var reports = await Task.WhenAll(probes);

        Assert.Equal(1, check.Runs);
        Assert.All(reports, report => Assert.Same(reports[0], report));
    }

    [Fact]
    public async Task AFinishedRunAnswersForOneSecondThenTheChecksRunAgain()
    {
        var check = new GatedCheck();
        check.Open();
        var (readiness, time) = Build(check);

        await readiness.CheckAsync();
        time.Advance(TrackerReadiness.Reuse - TimeSpan.FromMilliseconds(1));
        await readiness.CheckAsync();
        Assert.Equal(1, check.Runs);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await readiness.CheckAsync();
        Assert.Equal(2, check.Runs);
    }

    [Fact]
    public async Task OnlyReadinessChecksRun()
    {
        var ready = new GatedCheck();
        ready.Open();
        var other = new GatedCheck();
        other.Open();
        var (readiness, _) = Build(ready, services => services.AddHealthChecks().AddCheck("other", other));

        var report = await readiness.CheckAsync();

        Assert.Equal((1, 0), (ready.Runs, other.Runs));
        Assert.Equal(["gated"], report.Entries.Keys);
    }

    [Fact]
    public void AnInMemoryTrackerWithoutSyncHasOneCheckThatIsAlwaysReady()
    {
        var names = RegisteredChecks(new Dictionary<string, string?>());
        Assert.Equal(["store"], names);
    }

    [Fact]
    public void PublishingAddsTheSyncCheck()
    {
        var names = RegisteredChecks(new Dictionary<string, string?> { ["Tracker:Sync:TopicEndpoint"] = "https://topic.invalid/api/events" });
        Assert.Equal(["store", "sync"], names);
    }

    [Theory]
    [InlineData(null, null, "Tracker:Sync:TopicEndpoint is not an http(s) URI")]
    [InlineData("ftp://topic.invalid/api/events", null, "Tracker:Sync:TopicEndpoint is not an http(s) URI")]
    [InlineData("https://topic.invalid/api/events", "short", "Tracker:Sync:TopicKey is too short")]
    [InlineData("https://topic.invalid/api/events", null, "topic set, Entra ID")]
    public void TheSyncCheckJudgesTheTopicSettings(string? endpoint, string? key, string reason)
    {
        var result = SyncHealthCheck.Check(new SyncOptions { TopicEndpoint = endpoint, TopicKey = key });
        Assert.Equal(reason, result.Description);
        Assert.Equal(reason.StartsWith("topic set", StringComparison.Ordinal) ? HealthStatus.Healthy : HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public void TheStoreReasonNamesTheFaultNeverItsMessage()
    {
        // What the SDK throws when every retry failed to connect: the address is in the messages, not in the reason.
        var refused = new AggregateException(
            new RequestFailedException("Connection refused (10.1.2.3:443)", new HttpRequestException("Connection refused (10.1.2.3:443)")),
            new RequestFailedException("Connection refused (10.1.2.3:443)", new HttpRequestException("Connection refused (10.1.2.3:443)")));
        Assert.Equal("Table Storage not reachable (HttpRequestException)", TableStoreHealthCheck.Reason(refused));
        Assert.Equal("Table Storage answered 403 AuthorizationFailure", TableStoreHealthCheck.Reason(new RequestFailedException(403, "secret detail", "AuthorizationFailure", null)));
        Assert.Equal("Table Storage not reachable (InvalidOperationException)", TableStoreHealthCheck.Reason(new InvalidOperationException("secret detail")));
    }

    private static List<string> RegisteredChecks(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddTrackerHealthChecks(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        return [.. provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Tags.Contains(TrackerHealth.ReadyTag)).Select(r => r.Name)];
    }

    private static (TrackerReadiness Readiness, FakeTimeProvider Time) Build(GatedCheck check, Action<IServiceCollection>? more = null)
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddHealthChecks().AddCheck("gated", check, tags: [TrackerHealth.ReadyTag]);
        more?.Invoke(services);
        services.AddSingleton<TrackerReadiness>();
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<TrackerReadiness>(), time);
    }

    private sealed class GatedCheck : IHealthCheck
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public void Open() => _gate.TrySetResult();

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            await _gate.Task;
            return HealthCheckResult.Healthy("gated");
        }
    }
}
