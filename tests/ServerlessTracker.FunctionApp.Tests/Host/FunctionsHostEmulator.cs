// The Functions host, played by a test, for an isolated (dotnet-isolated) worker with ASP.NET Core integration.
//
// Functions Core Tools cannot be installed here, so tests drive the PUBLISHED worker the way host 4.x does
// (shared/functions-worker.md §1-3, §10; ARCHITECTURE.md "Testing the Functions contract"):
//   - an h2c gRPC server implementing AzureFunctionsRpcMessages.FunctionRpc/EventStream (Protos/function_rpc.proto);
//   - the worker process started from worker.config.json (`dotnet App.dll`, or `{WorkerRoot}App`) with the host's
//     switches and environment (FUNCTIONS_APPLICATION_DIRECTORY, FUNCTIONS_WORKER_DIRECTORY, the app settings);
//   - the handshake: StartStream → WorkerInitRequest/Response (the HttpUri capability is required) →
//     FunctionsMetadataRequest/FunctionMetadataResponse → one FunctionLoadRequest per function;
//   - an HTTP front end (HttpFrontEnd) doing what the host does per request: route (host.json routePrefix), method,
//     authLevel keys, then the InvocationRequest over gRPC AND, concurrently, the real request forwarded with YARP
//     to the worker's HttpUri, correlated by x-ms-invocation-id;
//   - timer invocations (InvokeTimerAsync) with the host's %AppSetting% schedule resolution;
//   - WorkerTerminate on dispose, then a kill of the process tree if it lingers.
//
// What it cannot prove (test those on Azure): the host's full routing (its own /admin and /runtime routes,
// route-precedence corner cases, path escapes such as %2f), key storage and rotation, the App Service / Flex front
// end (what it strips or adds before the host; TLS; HTTP/2 to clients), extension loading from
// .azurefunctions/extensions.json, timer scheduling (NCRONTAB, the monitor, blob locks, singleton across instances),
// scale-out, placeholders (FunctionsNetHost) and Flex start-up limits, host-side logging and App Insights.
//
// Usage (one worker per emulator; TestWorkerFixture shows a shared xunit collection fixture, and how the csproj's
// absolute path reaches the tests through an AssemblyMetadata attribute):
//   var dir = await PublishedWorker.PublishAsync(functionAppCsprojPath);      // once per test run, cached
//   await using var host = await FunctionsHostEmulator.StartAsync(dir, new Dictionary<string, string?> { ["PurgeSchedule"] = "0 */5 * * * *" });
//   using var client = host.CreateClient();                                    // or RawHttp on host.BaseAddress
//   var response = await client.GetAsync("announce?info_hash=...");
//   var purge = await host.InvokeTimerAsync("purge");                         // purge.Succeeded, purge.Logs
//   host.GetFunction("announce").Trigger!.Route;                             // metadata, as the worker reported it
using ServerlessTracker.FunctionApp.Tests.Host.Rpc;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>A Functions host for one published isolated worker; see the file header for what it does and does not prove.</summary>
public sealed class FunctionsHostEmulator : IAsyncDisposable
{
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, string?> _appSettings;
    private readonly WorkerChannel _channel;
    private RpcServer? _rpc;
    private WorkerProcess? _worker;
    private HttpFrontEnd? _frontEnd;
    private int _disposed;

    private FunctionsHostEmulator(string directory, IReadOnlyDictionary<string, string?> appSettings, EmulatorOptions options)
    {
        _directory = directory;
        _appSettings = appSettings;
        Options = options;
        Diagnostics = new EmulatorDiagnostics(options.Log);
        _channel = new WorkerChannel(Diagnostics);
    }

    public EmulatorOptions Options { get; }

    /// <summary>Worker output, RpcLogs and start-up timings; quoted by every start failure.</summary>
    public EmulatorDiagnostics Diagnostics { get; }

    /// <summary>The host's HTTP address on IPv4 loopback, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => _frontEnd!.BaseAddress;

    /// <summary>The same front end on <c>[::1]</c>, or null when the machine has no IPv6 loopback.</summary>
    public Uri? IPv6BaseAddress => _frontEnd!.IPv6BaseAddress;

    /// <summary>The worker's own Kestrel (its <c>HttpUri</c> capability), e.g. <c>http://localhost:45678/</c>.</summary>
    public Uri WorkerHttpUri { get; private set; } = null!;

    /// <summary>What the worker announced in <c>WorkerInitResponse.capabilities</c>.</summary>
    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>Every function the worker reported, loaded (the ones in <see cref="LoadedFunction.Error"/> included).</summary>
    public IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    public int WorkerProcessId => _worker!.Id;

    /// <summary>Starts the gRPC server, the worker, the handshake and the HTTP front end; throws with the worker's output on failure.</summary>
    /// <param name="publishDirectory">A <c>dotnet publish</c> output of an isolated worker (holds worker.config.json and host.json).</param>
    /// <param name="appSettings">The function app's settings: environment variables of the worker; a null value removes one.</param>
    public static async Task<FunctionsHostEmulator> StartAsync(
        string publishDirectory,
        IReadOnlyDictionary<string, string?> appSettings,
        EmulatorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var emulator = new FunctionsHostEmulator(Path.GetFullPath(publishDirectory), appSettings, options ?? new EmulatorOptions());
        try
        {
            await emulator.StartCoreAsync(cancellationToken);
            return emulator;
        }
        catch (Exception e)
        {
            // Dispose first: the worker's last words (an exit-134 stack trace) reach the diagnostics as its pipes drain.
            await emulator.DisposeAsync();
            throw new FunctionsHostEmulatorException($"The emulated host could not start the worker in '{publishDirectory}': {e.Message}\n{emulator.Diagnostics.Describe()}", e);
        }
    }

    public LoadedFunction GetFunction(string name) =>
        Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No function '{name}'; the worker has: {string.Join(", ", Functions.Select(f => f.Name))}.", nameof(name));

    /// <summary>An HttpClient for <see cref="BaseAddress"/> (or the IPv6 front end) that never uses a system proxy.</summary>
    public HttpClient CreateClient(bool ipv6 = false) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = ipv6 ? IPv6BaseAddress ?? throw new InvalidOperationException("No IPv6 loopback on this machine.") : BaseAddress,
        };

    /// <summary>Fires a timer function once, as the host's scheduler would, and returns the worker's verdict and logs.</summary>
    public Task<InvocationResult> InvokeTimerAsync(string functionName, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var function = GetFunction(functionName);
        if (function.Trigger is not { } trigger || !trigger.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{function.Name}' is not a timer function ({function.Trigger?.Type ?? "no trigger"}).", nameof(functionName));
        }

        if (function.Error is not null)
        {
            throw new FunctionsHostEmulatorException(function.Error);
        }

        var request = InvocationRequests.ForTimer(WorkerChannel.NewId(), function, trigger, isPastDue, DateTimeOffset.UtcNow);
        return _channel.InvokeAsync(request, Options.FunctionTimeout, HandlesCancel, null, cancellationToken);
    }

    /// <summary>A <c>WorkerStatusRequest</c> round trip (the host's health ping); returns how long the worker took.</summary>
    public async Task<TimeSpan> CheckWorkerStatusAsync(CancellationToken cancellationToken = default)
    {
        var requestId = WorkerChannel.NewId();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _channel.RequestAsync(
            new StreamingMessage { RequestId = requestId, WorkerStatusRequest = new WorkerStatusRequest() }, WorkerChannel.StatusKey(requestId), cancellationToken);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_frontEnd is not null)
        {
            await _frontEnd.DisposeAsync();
        }

        if (_worker is not null)
        {
            // The host's way out: WorkerTerminate, the worker stops its host and exits; a kill only if it lingers.
            if (!_worker.Exited.IsCompleted && _channel.Started.IsCompletedSuccessfully && !_channel.Ended.IsCompleted &&
                _channel.Send(new StreamingMessage
                {
                    RequestId = WorkerChannel.NewId(),
                    WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(Options.ShutdownGracePeriod) },
                }))
            {
                await _worker.WaitOrKillAsync(Options.ShutdownGracePeriod + TimeSpan.FromSeconds(5));
            }

            await _worker.DisposeAsync();
        }

        _channel.Stop();
        if (_rpc is not null)
        {
            await _rpc.DisposeAsync();
        }
    }

    private bool HandlesCancel =>
        WorkerCapabilities.TryGetValue("HandlesInvocationCancelMessage", out var value) && value.Equals("true", StringComparison.OrdinalIgnoreCase);

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(Options.StartupTimeout);

        // The host listens before it starts a worker: a port the worker picks for its own Kestrel is never the front end's.
        _frontEnd = await HttpFrontEnd.StartAsync(_channel, Options, cancellationToken);
        _rpc = await RpcServer.StartAsync(_channel, cancellationToken);
        var workerId = WorkerChannel.NewId();
        var launch = WorkerLaunch.Read(_directory, _rpc.Address, workerId, WorkerChannel.NewId());
        var spawned = Diagnostics.Elapsed;
        _worker = WorkerProcess.Start(_directory, launch, _appSettings, Diagnostics);

        var streamWorkerId = await UntilAsync(_channel.Started, "StartStream", startup.Token);
        Diagnostics.ProcessStartToStream = Diagnostics.Elapsed - spawned;
        if (streamWorkerId != workerId)
        {
            throw new FunctionsHostEmulatorException($"StartStream named worker '{streamWorkerId}', not '{workerId}' from --functions-worker-id.");
        }

        var init = (await UntilAsync(
            _channel.RequestAsync(
                new StreamingMessage
                {
                    RequestId = WorkerChannel.NewId(),
                    WorkerInitRequest = new WorkerInitRequest { HostVersion = Options.HostVersion, WorkerDirectory = _directory, FunctionAppDirectory = _directory },
                },
                "init",
                startup.Token),
            "WorkerInitResponse",
            startup.Token)).WorkerInitResponse;
        EnsureSuccess(init.Result, "WorkerInitResponse");
        WorkerCapabilities = new Dictionary<string, string>(init.Capabilities, StringComparer.OrdinalIgnoreCase);
        if (!WorkerCapabilities.TryGetValue("HttpUri", out var httpUri) || !Uri.TryCreate(httpUri, UriKind.Absolute, out var workerHttpUri))
        {
            throw new FunctionsHostEmulatorException(
                "The worker did not announce the HttpUri capability, so it does not use ASP.NET Core integration " +
                "(ConfigureFunctionsWebApplication); this emulator only drives HTTP-proxying workers. Capabilities: " +
                string.Join(", ", WorkerCapabilities.Select(c => $"{c.Key}={c.Value}")));
        }

        WorkerHttpUri = workerHttpUri;
        Diagnostics.ProcessStartToInitialized = Diagnostics.Elapsed - spawned;

        var metadata = (await UntilAsync(
            _channel.RequestAsync(
                new StreamingMessage { RequestId = WorkerChannel.NewId(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _directory } },
                "metadata",
                startup.Token),
            "FunctionMetadataResponse",
            startup.Token)).FunctionMetadataResponse;
        if (metadata.Result is not null)
        {
            EnsureSuccess(metadata.Result, "FunctionMetadataResponse");
        }

        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new FunctionsHostEmulatorException(
                "The worker asked the host to index functions.metadata itself (use_default_metadata_indexing); the emulator only supports worker indexing.");
        }

        Functions = [.. metadata.FunctionMetadataResults.Select(LoadedFunction.Parse)];
        await LoadAsync(startup.Token);
        Diagnostics.ProcessStartToLoaded = Diagnostics.Elapsed - spawned;

        foreach (var function in Functions)
        {
            function.ResolveSchedule(_appSettings);
        }

        var inError = Functions.Where(f => f.Error is not null).Select(f => f.Error).ToList();
        if (inError.Count > 0 && !Options.AllowFunctionsInError)
        {
            throw new FunctionsHostEmulatorException(string.Join("\n", inError));
        }

        _frontEnd.Attach(Functions, HostJson.ReadRoutePrefix(_directory), WorkerHttpUri, HandlesCancel);
        Diagnostics.Note($"serving {BaseAddress}{(IPv6BaseAddress is null ? "" : " and " + IPv6BaseAddress)}; worker at {WorkerHttpUri}; " +
            $"{Functions.Count} functions loaded {Diagnostics.ProcessStartToLoaded?.TotalMilliseconds:F0} ms after spawn");
    }

    // The worker has no FunctionLoadRequestCollection handler (and does not advertise it): one request per function.
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loads = Functions.Select(f => _channel.RequestAsync(
            new StreamingMessage { RequestId = WorkerChannel.NewId(), FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.FunctionId, Metadata = f.Metadata } },
            WorkerChannel.LoadKey(f.FunctionId),
            cancellationToken)).ToList();
        var responses = await UntilAsync(Task.WhenAll(loads), "FunctionLoadResponse", cancellationToken);
        foreach (var response in responses)
        {
            EnsureSuccess(response.FunctionLoadResponse.Result, $"FunctionLoadResponse for {Functions.First(f => f.FunctionId == response.FunctionLoadResponse.FunctionId).Name}");
        }
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new FunctionsHostEmulatorException(
                $"{what}: status {result?.Status.ToString() ?? "missing"}; {result?.Exception?.Type}: {result?.Exception?.Message} {result?.Result}");
        }
    }

    // Waits for one step of the handshake, but gives up at once when the worker dies (e.g. exit 134 on a missing
    // setting) instead of waiting out the start-up timeout.
    private async Task<T> UntilAsync<T>(Task<T> step, string what, CancellationToken cancellationToken)
    {
        var exited = _worker!.Exited;
        var timeout = Task.Delay(Timeout.Infinite, cancellationToken);
        var first = await Task.WhenAny(step, exited, timeout);
        if (first == step)
        {
            return await step;
        }

        if (first == exited)
        {
            throw new FunctionsHostEmulatorException($"The worker exited with code {await exited} while the host waited for {what}.");
        }

        throw new FunctionsHostEmulatorException($"No {what} from the worker within {Options.StartupTimeout.TotalSeconds:F0} s (or start-up was cancelled).");
    }
}
