using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.UdpRelay.Tests;

namespace ServerlessTracker.Admin.Tests.Checks;

/// <summary><c>st-admin check</c> against the real tracker on Kestrel and the real relay: a sound deployment passes, a
/// tracker that believes forged headers fails, and the exit code says which.</summary>
public sealed class WhenCheckingADeployment
{
    [Fact]
    public async Task ASoundDeploymentPassesEveryCheckOverHttpAndUdp()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);
        await using var relay = await RelayHost.StartAsync();
        var announce = new Uri(tracker.BaseV4, "/announce");

        var run = await Check(announce.ToString(), $"udp://127.0.0.1:{relay.IPv4.Port}/announce");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("FAIL", run.Output);
        foreach (var check in new[] { "announce", "interval", "external ip", "forged headers", "scrape", "health", "connect", "address" })
        {
            Assert.Matches($"(?m)^  PASS  {check} ", run.Output);
        }

        Assert.Contains("127.0.0.1, the same in a second announce and in its peer list", run.Output);
        Assert.Contains("SKIP  https           plain http, no passkey", run.Output);
        Assert.Matches("[0-9]+ passed, 0 failed, 1 skipped", run.Output);
    }

    [Fact]
    public async Task TheCheckLeavesNoPeerBehind()
    {
        const string token = "check-test-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Admin:Token"] = token }, ipv6: false);

        var run = await Check(new Uri(tracker.BaseV4, "/announce").ToString());

        Assert.Equal(0, run.ExitCode);
        var swarms = (await new Cli(tracker.BaseV4, token).RunAsync("swarm", "list", "--json")).Json["swarms"]!.AsArray();
        Assert.NotEmpty(swarms);
        Assert.All(swarms, swarm => Assert.Equal(0, swarm!["seeders"]!.GetValue<long>() + swarm["leechers"]!.GetValue<long>()));
    }

    [Fact]
    public async Task ATrackerThatTrustsForwardedForFromTheLoopbackFailsTheForgedHeaderCheck()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Network:TrustedProxies:0"] = "127.0.0.1",
        }, ipv6: false);

        var run = await Check(new Uri(tracker.BaseV4, "/announce").ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Matches("(?m)^  FAIL  forged headers  external ip became 203.0.113.7 .*the tracker trusts forged headers$", run.Output);
        Assert.Matches("(?m)^  PASS  announce ", run.Output);
    }

    [Fact]
    public async Task NothingListeningFailsFastAndABadUrlIsAUsageError()
    {
        var started = DateTime.UtcNow;
        var run = await Check("http://127.0.0.1:1/announce", "udp://127.0.0.1:1/announce");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches("(?m)^  FAIL  announce        cannot reach", run.Output);
        Assert.Matches("(?m)^  FAIL  connect ", run.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "each request is bounded by 5 s");

        var usage = await Check("ftp://tracker.example.org/announce");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("not an http://, https:// or udp:// announce URL", usage.Error);
        Assert.Equal(2, (await Check("udp://tracker.example.org/announce")).ExitCode);
    }

    [Fact]
    public async Task APrivateTrackerPassesWithAPasskeyUrlThatIsNeverPrintedWhole()
    {
        const string token = "check-test-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Private:Enabled"] = "true",
            ["Tracker:Admin:Token"] = token,
        }, ipv6: false);
        var passkey = (await new Cli(tracker.BaseV4, token).RunAsync("passkey", "create", "--json")).Json["passkey"]!.GetValue<string>();

        var run = await Check(new Uri(tracker.BaseV4, "/announce/" + passkey).ToString());

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("PASS  https           passkey over plain http, but only to the loopback", run.Output);
        Assert.Matches("(?m)^  PASS  scrape          0 seeders, 3 leechers", run.Output);
        Assert.Contains($"/announce/{passkey[..4]}…", run.Output);
        Assert.DoesNotContain(passkey, run.Output);

        var refused = await Check(new Uri(tracker.BaseV4, "/announce/" + new string('0', 32)).ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Matches("(?m)^  FAIL  announce        200, failure reason: ", refused.Output);
    }

    [Fact]
    public async Task AnOldOrOddTrackerIsToldWhatIsWrong()
    {
        // A tracker without health endpoints, external ip or min interval, announcing every minute.
        using var handler = new Stub(request => request.RequestUri!.AbsolutePath switch
        {
            "/health/ready" => new HttpResponseMessage(System.Net.HttpStatusCode.NotFound),
            "/scrape" => Bencoded("d5:filesdee"),
            _ => Bencoded("d8:completei0e10:incompletei1e8:intervali60e5:peers0:e"),
        });

        var run = await new Cli(new Uri("http://127.0.0.1:1"), null, []).RunAsync(["check", "http://tracker.example.org/announce"], handler);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAIL  interval        interval 60 s: outside 300 s to 10800 s", run.Output);
        Assert.Contains("SKIP  external ip     the answer has no external ip", run.Output);
        Assert.Contains("SKIP  forged headers  no external ip to compare", run.Output);
        Assert.Contains("PASS  scrape          bencoded answer; the new torrent is not listed yet", run.Output);
        Assert.Contains("SKIP  health          /health/ready 404", run.Output);
        Assert.Equal((3, 3), (handler.Announces(@event: "started"), handler.Announces(@event: "stopped")));
    }

    [Fact]
    public async Task AUdpTrackerThatNeverAnswersFailsWithinTheTimeout()
    {
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var started = DateTime.UtcNow;

        var run = await Check($"udp://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndPoint!).Port}/announce");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAIL  connect         no answer from 127.0.0.1:", run.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "one exchange waits 5 s at most");
    }

    private static HttpResponseMessage Bencoded(string body) => new(System.Net.HttpStatusCode.OK) { Content = new StringContent(body) };

    /// <summary>A tracker that is not this one: canned answers, and a count of the announces it was sent.</summary>
    private sealed class Stub(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly List<string> _queries = [];

        public int Announces(string @event) => _queries.Count(q => q.Contains("event=" + @event, StringComparison.Ordinal));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/announce")
            {
                _queries.Add(request.RequestUri.Query);
            }

            return Task.FromResult(answer(request));
        }
    }

    private static Task<Cli.Run> Check(params string[] urls) =>
        new Cli(new Uri("http://127.0.0.1:1"), null, []).RunAsync(["check", .. urls]);
}
