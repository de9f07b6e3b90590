using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using ServerlessTracker.FunctionApp.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The emulator is only worth its tests if it treats a worker as the host does: these drive the probe worker
/// (TestWorker/) and check each host behaviour the function app's tests will rely on.
/// </summary>
[Collection(TestWorkerCollection.Name)]
public sealed class WhenTheEmulatorDrivesAWorker(TestWorkerFixture fixture, ITestOutputHelper output)
{
    private FunctionsHostEmulator Host => fixture.Emulator;

    [Fact]
    public void MetadataListsEveryFunctionWithItsTriggerRouteMethodsAndAuthLevel()
    {
        Assert.Equal(["boom", "echo", "greet", "mirror", "secret", "tick"], Host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(Host.Functions, f => Assert.Equal("ServerlessTracker.TestWorker.dll", f.ScriptFile));
        Assert.All(Host.Functions, f => Assert.False(string.IsNullOrEmpty(f.FunctionId)));

        var echo = Host.GetFunction("echo");
        Assert.Equal("ServerlessTracker.TestWorker.ProbeFunctions.Echo", echo.EntryPoint);
        Assert.Equal(("req", "httpTrigger", "In", "echo/{*rest}", "Anonymous"), (echo.Trigger!.Name, echo.Trigger.Type, echo.Trigger.Direction, echo.Trigger.Route, echo.Trigger.AuthLevel));
        Assert.Equal(["get"], echo.Trigger.Methods);
        // A Task-returning HTTP function still gets the http $return binding from the generator (functions-worker.md §1.4).
        Assert.Contains(echo.Bindings, b => b is { Name: "$return", Type: "http", Direction: "Out" });

        var secret = Host.GetFunction("secret").Trigger!;
        Assert.Equal(("httpTrigger", null, "Function"), (secret.Type, secret.Route, secret.AuthLevel));
        Assert.Equal(["get"], secret.Methods);

        var tick = Host.GetFunction("tick");
        Assert.Equal(("timer", "timerTrigger", "%TestSchedule%"), (tick.Trigger!.Name, tick.Trigger.Type, tick.Trigger.Schedule));
        Assert.Equal(TestWorkerFixture.Schedule, tick.ResolvedSchedule);
        Assert.Null(tick.Error);

        Assert.StartsWith("http://localhost:", Host.WorkerCapabilities["HttpUri"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawQueryBytesReachTheWorkerByteForByte()
    {
        // A BitTorrent info_hash is 20 arbitrary bytes: NUL, invalid UTF-8, unreserved escapes, a literal '+'.
        const string query = "?info_hash=%00%ff%12%34%56%78%9a%bc%de%f0%00%FF%7e%2a%20%2B%25%80%c3%28&peer_id=-XX0001-+ab%00&port=6881";

        var (status, body) = await RawHttp.GetAsync(Host.BaseAddress, "/echo/x" + query);

        Assert.Equal(200, status);
        var received = Lines(body)[0];
        output.WriteLine($"sent {query}\nseen {received}");
        Assert.Equal(RawHttp.PercentDecode(query), RawHttp.PercentDecode(received));
    }

    [Fact]
    public async Task ACatchAllRouteAlsoMatchesItsBarePrefix()
    {
        var (bare, bareBody) = await RawHttp.GetAsync(Host.BaseAddress, "/echo");
        var (deep, deepBody) = await RawHttp.GetAsync(Host.BaseAddress, "/echo/a/b");

        Assert.Equal((200, ""), (bare, Lines(bareBody)[3]));
        Assert.Equal((200, "a/b"), (deep, Lines(deepBody)[3]));
    }

    [Fact]
    public async Task TheWorkerSeesTheClientAddressYarpPutInXForwardedFor()
    {
        // A client's own X-Forwarded-For is not trusted: the host's YARP sets the header from the connection.
        var (status, body) = await RawHttp.GetAsync(Host.BaseAddress, "/echo", ("X-Forwarded-For", "203.0.113.9"));

        Assert.Equal(200, status);
        var lines = Lines(body);
        output.WriteLine(string.Join(" | ", lines));
        Assert.Equal("127.0.0.1", lines[1]);
        Assert.NotEqual("", lines[2]); // X-Original-For: the host's own connection to the worker.
        Assert.Equal("", lines[4]);    // Nothing of the client's claim is left over.

        output.WriteLine($"IPv6 front end: {Host.IPv6BaseAddress?.ToString() ?? "none on this machine"}");
        if (Host.IPv6BaseAddress is { } ipv6)
        {
            var (status6, body6) = await RawHttp.GetAsync(ipv6, "/echo");
            Assert.Equal((200, "::1"), (status6, Lines(body6)[1]));
        }
    }

    [Fact]
    public async Task AClientAddressSetForTheFrontEndReachesTheWorkerLikeAnAppServiceClient()
    {
        var (status, body) = await RawHttp.GetAsync(Host.BaseAddress, "/echo", ("x-test-client-ip", "198.51.100.7:51413"));

        Assert.Equal(200, status);
        var lines = Lines(body);
        Assert.Equal(("198.51.100.7", "198.51.100.7:51413"), (lines[1], lines[5]));
    }

    [Fact]
    public async Task AFunctionLevelRouteRefusesARequestWithoutTheKey()
    {
        using var client = Host.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("secret?code=wrong")).StatusCode);
    }

    [Fact]
    public async Task AFunctionLevelRouteServesARequestWithTheKeyInCodeOrHeaderOrTheMasterKey()
    {
        using var client = Host.CreateClient();
        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "secret");
        withHeader.Headers.Add("x-functions-key", Host.Options.FunctionKey);

        var byCode = await client.GetAsync($"secret?code={Host.Options.FunctionKey}");
        var byHeader = await client.SendAsync(withHeader);
        var byMaster = await client.GetAsync($"secret?code={Host.Options.MasterKey}");

        Assert.Equal((HttpStatusCode.OK, "secret"), (byCode.StatusCode, await byCode.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byMaster.StatusCode);
    }

    [Fact]
    public async Task AWrongMethodOnAFunctionRouteIsNotFoundAsInTheHost()
    {
        using var client = Host.CreateClient();

        var post = await client.PostAsync("echo/x", new ByteArrayContent([]));
        var unknown = await client.GetAsync("nothing/here");
        var root = await client.GetAsync("");

        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, root.StatusCode);
    }

    [Fact]
    public async Task PlainParametersBindFromTheRouteAndQueryTheHostSendsAsTriggerMetadata()
    {
        using var client = Host.CreateClient();

        var both = await client.GetStringAsync("greet/world?greeting=hello");
        var routeOnly = await client.GetStringAsync("greet/world");

        Assert.Equal("hello, world", both);
        Assert.Equal("(null), world", routeOnly);
    }

    [Fact]
    public async Task ARequestBodyTravelsToTheWorkerAndBackUnchanged()
    {
        var body = new byte[1 << 20];
        new Random(7).NextBytes(body);
        using var client = Host.CreateClient();

        using var response = await client.PostAsync("mirror", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AFunctionThatFailsBeforeWritingAnswers500AndTheFailureIsLogged()
    {
        using var client = Host.CreateClient();

        using var response = await client.GetAsync("boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(Host.Diagnostics.RpcLogs, l => (l.Message + l.Exception).Contains("boom: the probe failed on purpose", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATimerInvocationSucceedsWithTheResolvedSchedule()
    {
        var result = await Host.InvokeTimerAsync("tick");

        output.WriteLine(result.ToString());
        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(result.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("tick ran; past due False", StringComparison.Ordinal));
        Assert.Equal(TestWorkerFixture.Schedule, Host.GetFunction("tick").ResolvedSchedule);
    }

    [Fact]
    public async Task APastDueTimerInvocationReachesTheFunctionAsPastDue()
    {
        var result = await Host.InvokeTimerAsync("tick", isPastDue: true);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(result.Logs, l => l.Message.Contains("past due True", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FiftyConcurrentRequestsAreAllAnsweredEachWithItsOwnQuery()
    {
        using var client = Host.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await client.GetAsync($"echo/{i}?n={i}");
            return (i, response.StatusCode, Lines(await response.Content.ReadAsByteArrayAsync()));
        }));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, $"?n={a.i}", $"{a.i}"), (a.StatusCode, a.Item3[0], a.Item3[3])));
        Assert.Equal(50, answers.Select(a => a.Item3[6]).Distinct().Count()); // 50 distinct invocation ids.
    }

    [Fact]
    public async Task TheWorkerAnswersAStatusRequest()
    {
        var roundTrip = await Host.CheckWorkerStatusAsync();

        Assert.True(roundTrip < TimeSpan.FromSeconds(10), $"{roundTrip}");
    }

    // About 15-20 s: the worker gives up on the orphaned invocation after its coordinator timeouts (5 s / 15 s).
    [Fact(Timeout = 90_000)]
    [Trait("Duration", "Slow")]
    public async Task AClientSentInvocationIdStallsOnlyThatRequestWhichThenFails()
    {
        var clock = Stopwatch.StartNew();
        var spoofed = Task.Run(() => RawHttp.GetAsync(Host.BaseAddress, "/echo/spoofed", ("x-ms-invocation-id", Guid.NewGuid().ToString())));
        await Task.Delay(200);

        var (normal, normalBody) = await RawHttp.GetAsync(Host.BaseAddress, "/echo/normal");
        var normalAfter = clock.Elapsed;
        var (stalled, _) = await spoofed.WaitAsync(TimeSpan.FromSeconds(40));
        var stalledAfter = clock.Elapsed;

        output.WriteLine($"normal {normal} after {normalAfter}; spoofed {stalled} after {stalledAfter}");
        foreach (var log in Host.Diagnostics.RpcLogs.Where(l => l.Level >= LogLevel.Warning).TakeLast(6))
        {
            output.WriteLine(log.ToString());
        }

        Assert.Equal((200, "normal"), (normal, Lines(normalBody)[3]));
        Assert.True(normalAfter < TimeSpan.FromSeconds(5), $"the normal request waited {normalAfter}");
        Assert.Equal(500, stalled);
        Assert.InRange(stalledAfter, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task TheWorkerProcessIsGoneAfterDispose()
    {
        var started = Stopwatch.StartNew();
        var emulator = await FunctionsHostEmulator.StartAsync(fixture.PublishDirectory, TestWorkerFixture.AppSettings);
        var pid = emulator.WorkerProcessId;
        using (var client = emulator.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("echo")).StatusCode);
        }

        output.WriteLine($"worker pid {pid}: stream after {emulator.Diagnostics.ProcessStartToStream}, loaded after " +
            $"{emulator.Diagnostics.ProcessStartToLoaded}, first request served {started.Elapsed} after StartAsync");

        var clock = Stopwatch.StartNew();
        await emulator.DisposeAsync();

        output.WriteLine($"disposed in {clock.Elapsed}; exit code {emulator.Diagnostics.ExitCode}");
        Assert.False(IsRunning(pid), $"worker {pid} still runs");
        Assert.NotNull(emulator.Diagnostics.ExitCode);
    }

    [Fact]
    public async Task AnUnresolvedScheduleSettingFailsTheStartAsTheHostWouldAndLeavesNoWorker()
    {
        var settings = new Dictionary<string, string?> { ["TestSchedule"] = null };

        var failure = await Assert.ThrowsAsync<FunctionsHostEmulatorException>(() => FunctionsHostEmulator.StartAsync(fixture.PublishDirectory, settings));

        Assert.Contains("'%TestSchedule%' does not resolve to a value", failure.Message, StringComparison.Ordinal);
        var pid = ProcessIdIn(failure.Message);
        Assert.False(IsRunning(pid), $"worker {pid} still runs");
    }

    private static string[] Lines(byte[] body) => Encoding.Latin1.GetString(body).Split('\n');

    private static int ProcessIdIn(string message)
    {
        var marker = message.IndexOf("started worker pid ", StringComparison.Ordinal) + "started worker pid ".Length;
        return int.Parse(message.AsSpan(marker, message.IndexOf(':', marker) - marker), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
