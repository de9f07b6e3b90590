using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
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
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", Path.Combine(root, "functions", "ServerlessTracker.UdpRelay"), "-c", "Release", "-o", _output,
                     "--artifacts-path", _output + "-artifacts", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        Azurite = await AzuriteServer.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await publish.WaitForExitAsync(timeout.Token);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        foreach (var dir in new[] { _output, _output + "-artifacts" })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
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
    public async Task AKeyNothingReadsStopsTheStart()
    {
        var start = new ProcessStartInfo(published.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Relay__Prot"] = "6969";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("'Relay:Prot' (did you mean 'Relay:Port'?)", await output + error);
    }
}

/// <summary>The published relay started with settings as environment variables, on free loopback ports.</summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RelayProcess(Process process, int port, int healthPort)
    {
        _process = process;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        HealthPort = healthPort;
    }

    public IPEndPoint Endpoint { get; }

    public int HealthPort { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<RelayProcess> StartAsync(string executable, IDictionary<string, string?> settings)
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var healthPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Relay__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Relay__Addresses"] = "127.0.0.1";
        start.Environment["Relay__Health__Port"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var relay = new RelayProcess(Process.Start(start)!, port, healthPort);
        relay._process.OutputDataReceived += (_, e) => relay.Append(e.Data);
        relay._process.ErrorDataReceived += (_, e) => relay.Append(e.Data);
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();

        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{healthPort}/health");
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

    /// <summary>Stops it as a container runtime does (SIGTERM, so pending writes are flushed), killing it if that takes long.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
