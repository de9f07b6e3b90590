using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Invocations;

public class WhenTheHostInvokesPurge : IAsyncLifetime
{
    /// <summary>Configuration that selects the store: none (the in-memory store) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?> Store => new Dictionary<string, string?>();

    // What the Functions host POSTs for a timer trigger named "timer" (see purge/function.json).
    private const string TimerPayload = """
        {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-23T11:59:00+00:00","Next":"2026-11-23T12:01:00+00:00","LastUpdated":"2026-11-23T11:59:00+00:00"},"IsPastDue":false}},
         "Metadata":{"sys":{"MethodName":"purge","UtcNow":"2026-11-23T12:00:00.0123Z","RandGuid":"5d9c8c5e-1f0e-4a0e-9d2b-3b1e6f1d8c7a"}}}
        """;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() =>
        _tracker = await RunningTracker.StartAsync(
            new Dictionary<string, string?>(Store) { ["Tracker:Purge:InProcessTimer"] = "false" },
            builder => builder.Services.AddSingleton<TimeProvider>(_time),
            ipv6: false);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    [Fact]
    public async Task PurgesExpiredPeersAndAnswersWithTheInvocationShape()
    {
        var hash = Hash(31);
        await _tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001));
        _time.Advance(TimeSpan.FromMinutes(40));
        await _tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002));
        _time.Advance(TimeSpan.FromMinutes(10));

        using var response = await _tracker.Client.PostAsync("/purge", new StringContent(TimerPayload, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ReturnValue").ValueKind);
        var log = Assert.Single(root.GetProperty("Logs").EnumerateArray()).GetString();
        Assert.Contains("removed 1 expired peers", log);

        var files = (await _tracker.Client.GetBencodeAsync(ScrapeUrl(hash)))["files"]!;
        Assert.Equal(1, files.Find(hash)!["incomplete"]!.Integer + files.Find(hash)!["complete"]!.Integer);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task MalformedPayloadsGetA400NotACrash(string payload)
    {
        using var response = await _tracker.Client.PostAsync("/purge", new StringContent(payload, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("invalid invocation payload", json.RootElement.GetProperty("Logs")[0].GetString());
    }

    [Fact]
    public async Task TheHostProbeAtTheRootAnswers()
    {
        using var response = await _tracker.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
