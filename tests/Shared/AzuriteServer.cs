using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Tests.Shared;

/// <summary>A real Azurite Table service on a free loopback port, and on request its Blob service on another, started and
/// stopped by the tests (linked into every test project that needs it).</summary>
/// <remarks>
/// The executable is found through <c>ST_AZURITE</c> (the azurite-table executable), <c>ST_NODE_MODULES</c> (a
/// node_modules folder holding azurite), or the repository's tools/node_modules. Missing means a failed test with
/// the install command, never a skipped one.
/// </remarks>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's documented development account: public, and accepted only by the emulator.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _executable;
    private readonly bool _accessLog;
    private readonly string? _location;
    private Process? _process;
    private Process? _blobProcess;
    private long _requestsLogged;

    private AzuriteServer(string executable, int port, bool accessLog, string? location, int? blobPort)
    {
        _executable = executable;
        Port = port;
        _accessLog = accessLog;
        _location = location;
        BlobPort = blobPort;
    }

    public int Port { get; }

    /// <summary>The Blob service's port, when started with <c>blobs: true</c>.</summary>
    public int? BlobPort { get; }

    /// <summary>Requests Azurite answered, from its access log (started with <c>accessLog: true</c>), to cross-check client counts.</summary>
    public long RequestsLogged => Interlocked.Read(ref _requestsLogged);

    public string ConnectionString =>
        TablesAt(Port) + (BlobPort is { } blob ? $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" : "");

    /// <summary>The development account's connection string with its Table endpoint on <paramref name="port"/> of loopback.</summary>
    public static string TablesAt(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    /// <summary>Configuration that publishes the full scrape to a fresh container of this Azurite's Blob service (started with <c>blobs: true</c>).</summary>
    public Dictionary<string, string?> FullScrapeBlob() => new()
    {
        ["Tracker:FullScrape:ConnectionString"] = BlobPort is null ? throw new InvalidOperationException("Start Azurite with blobs: true.") : ConnectionString,
        ["Tracker:FullScrape:Container"] = "fullscrape" + Guid.NewGuid().ToString("N")[..12],
    };

    /// <summary>Configuration that puts a tracker (the app or the relay) on fresh tables of this Azurite, as in Azure.</summary>
    /// <param name="failFast">For outage tests: no cache, one retry, a 1.5 s budget and a 1 s circuit break, so refusals come quickly.</param>
    public Dictionary<string, string?> TrackerTables(bool failFast = false)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:Tables:ConnectionString"] = ConnectionString,
            ["Tracker:Tables:SwarmsTable"] = "swarms" + suffix,
            ["Tracker:Tables:IndexTable"] = "index" + suffix,
            ["Tracker:Tables:PasskeysTable"] = "passkeys" + suffix,
            ["Tracker:Tables:AccessListsTable"] = "lists" + suffix,
            ["Tracker:Tables:StatsTable"] = "stats" + suffix,
        };
        if (failFast)
        {
            settings["Tracker:Tables:CacheStalenessMilliseconds"] = "0";
            settings["Tracker:Tables:MaxRetries"] = "1";
            settings["Tracker:Tables:RetryBudgetMilliseconds"] = "1500";
            settings["Tracker:Tables:BreakSeconds"] = "1";
        }

        return settings;
    }

    /// <param name="accessLog">Keep Azurite's access log, to count the requests it answered (<see cref="RequestsLogged"/>).</param>
    /// <param name="location">A folder to keep the data in across restarts (see <see cref="StopGracefullyAsync"/>); null for
    /// in-memory storage that every start empties.</param>
    /// <param name="blobs">Start the Blob service too (azurite-blob, beside azurite-table), in memory.</param>
    public static async Task<AzuriteServer> StartAsync(bool accessLog = false, string? location = null, bool blobs = false)
    {
        var server = new AzuriteServer(FindExecutable(), FreePort(), accessLog, location, blobs ? FreePort() : null);
        await server.StartAgainAsync();
        if (server.BlobPort is { } blobPort)
        {
            var blobExecutable = Path.Combine(Path.GetDirectoryName(server._executable)!, "azurite-blob");
            server._blobProcess = await StartProcessAsync(blobExecutable,
                ["--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent"],
                blobPort, null);
        }

        return server;
    }

    /// <summary>Starts (again) on the same port: with empty in-memory storage, or on the data in its location.</summary>
    public async Task StartAgainAsync()
    {
        var persistence = _location is null ? new[] { "--inMemoryPersistence" } : ["--location", _location];
        var arguments = persistence.Concat(new[] { "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--loose", "--disableTelemetry" }).ToList();
        if (!_accessLog)
        {
            arguments.Add("--silent");
        }

        _process = await StartProcessAsync(_executable, arguments, Port, line =>
        {
            // Access log lines: 127.0.0.1 - - [date] "POST /devstoreaccount1/$batch HTTP/1.1" 202 -
            if (line.Contains(" HTTP/1.1\" ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _requestsLogged);
            }
        });
    }

    private static async Task<Process> StartProcessAsync(string executable, IEnumerable<string> arguments, int port, Action<string>? onOutput)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onOutput?.Invoke(line);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite ({Path.GetFileName(executable)}) exited with code {process.ExitCode} before listening on {port}: {errors}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"Azurite ({Path.GetFileName(executable)}) did not listen on {port} within 30 s: {errors}");
    }

    /// <summary>Kills the service, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>Stops the service as an orderly shutdown does (SIGINT, as Ctrl+C): Azurite saves what it holds to its location
    /// first. (On SIGTERM it exits without saving, losing up to its last five seconds of acknowledged writes.)</summary>
    public async Task StopGracefullyAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Did not stop in time: end it as an outage would.
        }

        await StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await StopBlobsAsync();
    }

    /// <summary>Kills the Blob service alone, as an outage of it would.</summary>
    public async Task StopBlobsAsync()
    {
        if (_blobProcess is { } blob)
        {
            _blobProcess = null;
            if (!blob.HasExited)
            {
                blob.Kill(entireProcessTree: true);
            }

            await blob.WaitForExitAsync();
            blob.Dispose();
        }
    }

    private static string FindExecutable()
    {
        var tried = new List<string>();
        if (Environment.GetEnvironmentVariable("ST_AZURITE") is { Length: > 0 } explicitPath)
        {
            tried.Add(explicitPath);
            if (File.Exists(explicitPath))
            {
                return explicitPath;
            }
        }

        if (Environment.GetEnvironmentVariable("ST_NODE_MODULES") is { Length: > 0 } modules)
        {
            var candidate = Path.Combine(modules, ".bin", "azurite-table");
            tried.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessTracker.sln")))
            {
                var candidate = Path.Combine(directory.FullName, "tools", "node_modules", ".bin", "azurite-table");
                tried.Add(candidate);
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                break;
            }
        }

        throw new InvalidOperationException(
            "Azurite (npm package 'azurite') is needed by the Table store tests and was not found. Install it with " +
            "'npm install --prefix tools azurite' or set ST_AZURITE to the azurite-table executable or ST_NODE_MODULES to a " +
            $"node_modules folder holding it. Tried: {string.Join(", ", tried)}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
