using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The relay as `dotnet publish` yields it (a Native AOT executable), made once, and an Azurite for the tests that
/// put it on Table Storage.</summary>
public sealed class PublishedRelay : IAsyncLifetime
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "st-relay-publish-" + Guid.NewGuid().ToString("N"));

    public string Output => _output;

    public string Executable => Path.Combine(_output, "ServerlessTracker.UdpRelay");

    public AzuriteServer Azurite { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var publish = PublishedProcess.PublishAsync(Path.Combine(root, "functions", "ServerlessTracker.UdpRelay"), _output);
        Azurite = await AzuriteServer.StartAsync();
        await publish;
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        PublishedProcess.DeletePublished(_output);
    }
}

/// <summary>The published relay runs without .NET installed, and everything reflection would have done in a JIT build
/// works in it: options binding and validation, the settings check, Table Storage reads and writes, the health port.</summary>
public sealed class WhenPublished(PublishedRelay published) : IClassFixture<PublishedRelay>
{
    [Fact]
    public void ItIsOneNativeExecutable()
    {
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(published.Executable)[..4]);
        Assert.Empty(Directory.GetFiles(published.Output, "*.dll"));
        Assert.False(File.Exists(Path.Combine(published.Output, "libcoreclr.so")));
    }

    [Fact]
    public async Task ItAnswersAnnouncesScrapesAndHealthProbes()
    {
        await using var relay = await RelayProcess.StartAsync(published.Executable, new Dictionary<string, string?>());
        using var client = new UdpTrackerClient(relay.Endpoint);
        var connection = await client.ConnectAsync();
        var hash = TestBytes.Twenty();
        await client.AnnounceAsync(connection, hash, TestBytes.Twenty(), 7001, left: 0);
        var leecher = await client.AnnounceAsync(connection, hash, TestBytes.Twenty(), 7002, left: 100);
        Assert.Equal(1, leecher.Seeders);
        Assert.Equal(7001, Assert.Single(leecher.PeerEndPoints(6)).Port);
        Assert.Equal((1, 0, 1), Assert.Single(await client.ScrapeAsync(connection, hash)));

        using var http = new HttpClient();
        using var health = await http.GetAsync($"http://127.0.0.1:{relay.HealthPort}/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task OnTableStorageWhatOneRelayStoredAnotherReads()
    {
        var tables = published.Azurite.TrackerTables();
        var hash = TestBytes.Twenty();
        await using (var first = await RelayProcess.StartAsync(published.Executable, tables))
        {
            using var client = new UdpTrackerClient(first.Endpoint);
            var seeded = await client.AnnounceAsync(await client.ConnectAsync(), hash, TestBytes.Twenty(), 7001, left: 0);
            Assert.Equal(1, seeded.Seeders);
            Assert.DoesNotContain("Exception", first.Log, StringComparison.Ordinal);
        }

        await using var second = await RelayProcess.StartAsync(published.Executable, tables);
        using var reader = new UdpTrackerClient(second.Endpoint);
        var connection = await reader.ConnectAsync();
        var leecher = await reader.AnnounceAsync(connection, hash, TestBytes.Twenty(), 7002, left: 100);
        Assert.Equal(1, leecher.Seeders);
        Assert.Equal(7001, Assert.Single(leecher.PeerEndPoints(6)).Port);
        Assert.DoesNotContain("Exception", second.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedWhileItStartsItExitsCleanly()
    {
        // Stopped while it waits on storage to create its tables (a deploy or scale-in during a slow start).
        using var storage = new SilentStorage();
        await using var relay = RelayProcess.Launch(published.Executable, storage.TrackerTables());
        await storage.WaitForConnectionAsync(TimeSpan.FromSeconds(30));
        await relay.Process.StopAndAssertCleanExitAsync();
    }

    [Fact]
    public async Task AKeyNothingReadsStopsTheStart()
    {
        await using var process = await PublishedProcess.RunToExitAsync(published.Executable, new Dictionary<string, string?> { ["Relay:Prot"] = "6969" });
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("'Relay:Prot' (did you mean 'Relay:Port'?)", process.Log, StringComparison.Ordinal);
    }
}

/// <summary>The published relay on free loopback ports (UDP, and the health port it is probed on).</summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    private readonly PublishedProcess _process;

    private RelayProcess(PublishedProcess process, int port, int healthPort)
    {
        _process = process;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        HealthPort = healthPort;
    }

    public IPEndPoint Endpoint { get; }

    public int HealthPort { get; }

    public string Log => _process.Log;

    public PublishedProcess Process => _process;

    /// <summary>Starts it and waits until it answers health probes.</summary>
    public static async Task<RelayProcess> StartAsync(string executable, IDictionary<string, string?> settings)
    {
        var relay = Launch(executable, settings);
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{relay.HealthPort}/health");
                return relay;
            }
            catch (HttpRequestException) when (attempt < 100 && !relay._process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException exception)
            {
                throw new InvalidOperationException($"the published relay never started:\n{relay.Log}", exception);
            }
        }
    }

    /// <summary>Starts it on free ports without waiting for it.</summary>
    public static RelayProcess Launch(string executable, IDictionary<string, string?> settings)
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var healthPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var all = new Dictionary<string, string?>(settings)
        {
            ["Relay:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Relay:Addresses"] = "127.0.0.1",
            ["Relay:Health:Port"] = healthPort.ToString(CultureInfo.InvariantCulture),
        };
        return new RelayProcess(PublishedProcess.Start(executable, all), port, healthPort);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
