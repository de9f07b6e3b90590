namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>How the emulated host behaves where a real host is configured by the platform rather than the app.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The key that opens <c>authLevel: function</c> routes (<c>?code=</c> or <c>x-functions-key</c>).</summary>
    public string FunctionKey { get; init; } = "emulator-function-key";

    /// <summary>The master key: opens <c>function</c> and <c>admin</c> routes, as the host's master key does.</summary>
    public string MasterKey { get; init; } = "emulator-master-key";

    /// <summary>Sent in <c>WorkerInitRequest.host_version</c>; the host version the worker brief was read from.</summary>
    public string HostVersion { get; init; } = "4.1037.0";

    /// <summary>From process start to every function loaded. A cold published worker on a busy 2-core box needs seconds.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long one invocation may run before the emulator gives up, cancels it and reports a failure (the host's
    /// <c>functionTimeout</c>). Longer than the worker's own HTTP rendezvous timeouts (5 s / 15 s), so those show.
    /// </summary>
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Sent in <c>WorkerTerminate.grace_period</c>; the process is killed if it has not exited a little after.</summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Also listen on <c>[::1]:0</c> when the machine has IPv6 loopback (<see cref="FunctionsHostEmulator.IPv6BaseAddress"/>).</summary>
    public bool ListenOnIPv6 { get; init; } = true;

    /// <summary>
    /// When set, a request carrying this header is treated as if App Service's front end had received it from that
    /// address (<c>ip</c> or <c>ip:port</c>): the header is removed, the connection's remote address becomes that
    /// address (so the host's YARP puts it in <c>X-Forwarded-For</c>) and <c>CLIENT-IP: ip:port</c> is added, as the
    /// front end does. Lets one loopback test play many clients. Off (null) by default.
    /// </summary>
    public string? ClientAddressHeader { get; init; }

    /// <summary>
    /// The host keeps running when a function is in error (e.g. its <c>%Setting%</c> does not resolve) and only
    /// that function is unavailable. By default the emulator fails the start instead, so a test sees the error at
    /// once; set true for the host's behaviour (<see cref="LoadedFunction.Error"/>).
    /// </summary>
    public bool AllowFunctionsInError { get; init; }

    /// <summary>Receives every worker stdout/stderr line and RpcLog as it arrives (e.g. ITestOutputHelper.WriteLine).</summary>
    public Action<string>? Log { get; init; }
}
