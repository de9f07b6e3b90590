using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Http.Tests.Hosting;

/// <summary>The output of `dotnet publish` (a Native AOT executable), made once for the tests that run it, and an Azurite
/// with its Blob service for the ones that put it on storage.</summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "st-publish-" + Guid.NewGuid().ToString("N"));

    public AzuriteServer Azurite { get; private set; } = null!;

    public string Executable => Path.Combine(Output, "ServerlessTracker.Server");

    public async Task InitializeAsync()
    {
        var publish = PublishedProcess.PublishAsync(Path.Combine(Repository.Root, "functions", "ServerlessTracker.Server"), Output);
        Azurite = await AzuriteServer.StartAsync(blobs: true);
        await publish;
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        PublishedProcess.DeletePublished(Output);
    }
}

/// <summary>The self-hosted package: what `dotnet publish functions/ServerlessTracker.Server` yields runs anywhere on Linux,
/// and every route works in it. It is Native AOT, so what reflection or runtime code generation would have done is
/// exercised here: options binding and validation, minimal API handlers, JSON, Table and Blob storage, sync.</summary>
public sealed class WhenPublished(PublishedApp published) : IClassFixture<PublishedApp>
{
    private const string AdminToken = "published-admin-token-0123456789abcdef";
    private readonly string _output = published.Output;

    [Fact]
    public void ItIsOneNativeExecutable()
    {
        var executable = published.Executable;
        Assert.True(File.Exists(executable), $"{executable} missing");
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, "not executable");

        // Native AOT: no runtime, no IL beside it; a machine (or container) without .NET runs it.
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(executable)[..4]);
        Assert.False(File.Exists(Path.Combine(_output, "libcoreclr.so")));
        Assert.Empty(Directory.GetFiles(_output, "*.dll"));

        // Not a function app: that is functions/ServerlessTracker.FunctionApp.
        Assert.False(File.Exists(Path.Combine(_output, "host.json")));
        Assert.False(File.Exists(Path.Combine(_output, "worker.config.json")));
    }

    [Fact]
    public async Task TheExecutableServesAnnouncesWhereItIsTold()
    {
        await using var tracker = await PublishedTracker.StartAsync(published.Executable, new Dictionary<string, string?>());
        var answer = await tracker.Client.GetBencodeAsync(Announces.AnnounceUrl(Announces.Hash(51), 1));
        Assert.Null(answer.Failure());
        Assert.Equal(1, answer["complete"]!.Integer);
    }

    [Theory]
    [InlineData("Tracker:Swarm:IntervalSecond", "60", "'Tracker:Swarm:IntervalSecond' (did you mean 'Tracker:Swarm:IntervalSeconds'?)")]
    [InlineData("Tracker:Swarm:IntervalSeconds", "0", "IntervalSeconds")]
    public async Task AnUnknownKeyOrAnInvalidValueStopsTheStart(string key, string value, string named)
    {
        await using var process = await PublishedProcess.RunToExitAsync(published.Executable, new Dictionary<string, string?> { [key] = value });
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(named, process.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedWhileItStartsItExitsCleanly()
    {
        // Stopped while it waits on storage to create its tables (a deploy or scale-in during a slow start).
        using var storage = new SilentStorage();
        var listen = WhenBehindProxies.FreePort();
        await using var process = PublishedProcess.Start(published.Executable, storage.TrackerTables(), "--urls", $"http://127.0.0.1:{listen}");
        await storage.WaitForConnectionAsync(TimeSpan.FromSeconds(30));
        await process.StopAndAssertCleanExitAsync();
    }

    [Fact]
    public async Task OnTableStorageTwoRegionsServeTrackerOperatorAndSyncRoutes()
    {
        var eastPort = WhenBehindProxies.FreePort();
        var westPort = WhenBehindProxies.FreePort();
        IDictionary<string, string?> Region(string name, int peerPort)
        {
            var settings = TwoRegions.Settings(name, peerPort, new Dictionary<string, string?>
            {
                ["Tracker:Admin:Token"] = AdminToken,
                ["Tracker:Metrics:Prometheus"] = "true",
                ["Tracker:Sync:OperatorResyncSeconds"] = "1",
            });
            foreach (var (key, value) in published.Azurite.TrackerTables().Concat(published.Azurite.FullScrapeBlob()))
            {
                settings[key] = value;
            }

            return settings;
        }

        await using var east = await PublishedTracker.StartAsync(published.Executable, Region("east", westPort), eastPort);
        await using var west = await PublishedTracker.StartAsync(published.Executable, Region("west", eastPort), westPort);

        // Tracker routes on Table Storage: a seeder and a leecher, then a scrape.
        var hash = Announces.Hash(77);
        Assert.Null((await east.Client.GetBencodeAsync(Announces.AnnounceUrl(hash, 1, port: 7001, left: 0))).Failure());
        var leecher = await east.Client.GetBencodeAsync(Announces.AnnounceUrl(hash, 2, port: 7002, left: 100));
        Assert.Null(leecher.Failure());
        Assert.Single(leecher.Peers4());
        var scrape = await east.Client.GetBencodeAsync(Announces.ScrapeUrl(hash));
        var counts = scrape["files"]!.Find(hash)!;
        Assert.Equal(1, counts["complete"]!.Integer);
        Assert.Equal(1, counts["incomplete"]!.Integer);

        // Operator routes: JSON written and read by the admin API, the stats page's JSON, Prometheus metrics.
        var swarm = await JsonAsync(east, HttpMethod.Get, $"/admin/swarms/{Convert.ToHexStringLower(hash)}");
        Assert.Equal(1, swarm.GetProperty("seeders").GetInt32());
        Assert.Equal(1, swarm.GetProperty("leechers").GetInt32());
        var passkey = (await JsonAsync(east, HttpMethod.Post, "/admin/passkeys", """{"name":"aot"}""", HttpStatusCode.Created))
            .GetProperty("passkey").GetString()!;
        var stats = JsonDocument.Parse(await east.Client.GetStringAsync("/stats.json")).RootElement;
        Assert.True(stats.GetProperty("totals").GetProperty("peers").GetInt64() >= 2);
        Assert.Contains("tracker_announces", await east.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // Sync: east publishes peers and operator data as CloudEvents; west's webhook applies them.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var seen = (await west.Client.GetBencodeAsync(Announces.ScrapeUrl(hash)))["files"]?.Find(hash);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/passkeys/{passkey}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            using var passkeyInWest = await west.Client.SendAsync(request);
            if (seen?["complete"]?.Integer == 1 && seen["incomplete"]?.Integer == 1 && passkeyInWest.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"west never saw east's swarm and passkey ({passkeyInWest.StatusCode}):\n{east.Log}\n{west.Log}");
            await Task.Delay(200);
        }

        var logs = east.Log + west.Log;
        Assert.False(logs.Contains("Exception", StringComparison.Ordinal), logs);
    }

    private static async Task<JsonElement> JsonAsync(PublishedTracker tracker, HttpMethod method, string path, string? body = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await tracker.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}\n{tracker.Log}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The published server on a loopback port, answering HTTP.</summary>
public sealed class PublishedTracker : IAsyncDisposable
{
    private readonly PublishedProcess _process;

    private PublishedTracker(PublishedProcess process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Client { get; }

    public string Log => _process.Log;

    public static async Task<PublishedTracker> StartAsync(string executable, IDictionary<string, string?> settings, int? port = null)
    {
        var listen = port ?? WhenBehindProxies.FreePort();
        var tracker = new PublishedTracker(PublishedProcess.Start(executable, settings, "--urls", $"http://127.0.0.1:{listen}"), listen);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = await tracker.Client.GetAsync("/");
                Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
                return tracker;
            }
            catch (HttpRequestException) when (attempt < 100 && !tracker._process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException exception)
            {
                throw new InvalidOperationException($"the published tracker never answered:\n{tracker.Log}", exception);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }
}
