using System.Net;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Network;

public class WhenBehindProxies
{
    /// <summary>Configuration added to every tracker these tests start (a derived class runs them through Kestrel only).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    private static readonly TrustedProxies Trusted = TrustedProxies.Parse(["10.0.0.0/8", "127.0.0.1"], out _);

    [Theory]
    [InlineData("198.51.100.1", null, null, "198.51.100.1")]
    [InlineData("198.51.100.1", "203.0.113.5", "203.0.113.6", "198.51.100.1")]
    [InlineData("10.1.1.1", null, "203.0.113.6", "203.0.113.6")]
    [InlineData("10.1.1.1", null, "1.1.1.1, 203.0.113.6, 10.2.2.2", "203.0.113.6")]
    [InlineData("10.1.1.1", null, "10.3.3.3, 10.2.2.2", "10.3.3.3")]
    [InlineData("10.1.1.1", null, "garbage, 203.0.113.6", "203.0.113.6")]
    [InlineData("10.1.1.1", null, "203.0.113.6, garbage", "10.1.1.1")]
    [InlineData("10.1.1.1", "203.0.113.5:4431", "203.0.113.6", "203.0.113.5")]
    [InlineData("10.1.1.1", "[2001:db8::5]:443", null, "2001:db8::5")]
    [InlineData("10.1.1.1", null, "[2001:db8::7]:1234", "2001:db8::7")]
    [InlineData("10.1.1.1", "not an address", "203.0.113.6", "203.0.113.6")]
    [InlineData("10.1.1.1", "10.9.9.9:443", "203.0.113.6, 10.9.9.9", "203.0.113.6")]
    public void TakesTheRightmostUntrustedHopOnlyFromTrustedProxies(string remote, string? clientIp, string? forwardedFor, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), ClientAddressResolver.Resolve(IPAddress.Parse(remote), clientIp, forwardedFor, Trusted));

    [Fact]
    public async Task ForwardedHeadersFromUntrustedPeersAreIgnored()
    {
        await using var tracker = await RunningTracker.StartAsync(With(), ipv6: false);
        var hash = Hash(21);
        await Send(tracker, AnnounceUrl(hash, 1, port: 7001), forwardedFor: "203.0.113.9", clientIp: "203.0.113.10");
        var answer = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["127.0.0.1:7001"], answer.Peers4());
    }

    [Fact]
    public async Task XForwardedForFromConfiguredProxiesIsBelieved()
    {
        await using var tracker = await RunningTracker.StartAsync(With(("Tracker:Network:TrustedProxies:0", "127.0.0.0/8")), ipv6: false);
        var hash = Hash(22);
        await Send(tracker, AnnounceUrl(hash, 1, port: 7001), forwardedFor: "198.51.100.4, 203.0.113.9");
        var answer = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 3, left: 1));
        Assert.Equal(["203.0.113.9:7001"], answer.Peers4());
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, answer["external ip"]!.Bytes);
    }

    [Fact]
    public async Task ClientIpThroughTheOperatorsOwnProxyIsNotBelievedByDefault()
    {
        // Self-hosted behind nginx: nothing overwrites client-ip, so a client's own value would pass through the proxy.
        // Only X-Forwarded-For (read from the right) counts unless the operator names a header the proxy sets.
        await using var tracker = await RunningTracker.StartAsync(With(("Tracker:Network:TrustedProxies:0", "127.0.0.0/8")), ipv6: false);
        var hash = Hash(23);
        await Send(tracker, AnnounceUrl(hash, 1, port: 7001), clientIp: "203.0.113.10:50000");
        await Send(tracker, AnnounceUrl(hash, 2, port: 7002), clientIp: "203.0.113.11", forwardedFor: "198.51.100.5");
        using var request = new HttpRequestMessage(HttpMethod.Get, AnnounceUrl(hash, 3, left: 1));
        request.Headers.TryAddWithoutValidation("client-ip", "203.0.113.12");
        using var response = await tracker.Client.SendAsync(request);
        var answer = Protocol.Bencode.BencodeDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["127.0.0.1:7001", "198.51.100.5:7002"], answer.Peers4().Order());
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, answer["external ip"]!.Bytes);
    }

    [Fact]
    public async Task AHeaderTheOperatorNamesIsBelievedFromConfiguredProxies()
    {
        await using var tracker = await RunningTracker.StartAsync(
            With(("Tracker:Network:TrustedProxies:0", "127.0.0.0/8"), ("Tracker:Network:ClientIpHeader", "X-Real-IP")), ipv6: false);
        var hash = Hash(25);
        using (var request = new HttpRequestMessage(HttpMethod.Get, AnnounceUrl(hash, 1, port: 7001)))
        {
            request.Headers.TryAddWithoutValidation("X-Real-IP", "203.0.113.20");
            request.Headers.TryAddWithoutValidation("client-ip", "203.0.113.21");
            using var response = await tracker.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var answer = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["203.0.113.20:7001"], answer.Peers4());
    }

    [Fact]
    public async Task ClaimedAddressesAreHonouredOnlyWhenEnabled()
    {
        await using var tracker = await RunningTracker.StartAsync(With(("Tracker:Http:AllowClaimedAddress", "true")), ipv6: false);
        var hash = Hash(24);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, extra: "&ip=192.0.2.99"));
        var answer = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["192.0.2.99:7001"], answer.Peers4());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.9")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("%3a%3a1")]
    [InlineData("fe80%3a%3a1")]
    [InlineData("fd00%3a%3a1")]
    public async Task AClaimedAddressThatIsNotPublicIsIgnored(string claimed)
    {
        await using var tracker = await RunningTracker.StartAsync(With(("Tracker:Http:AllowClaimedAddress", "true")), ipv6: false);
        var hash = Hash(25);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, extra: "&ip=" + claimed));
        var answer = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["127.0.0.1:7001"], answer.Peers4());
        Assert.Empty(answer.Peers6());
    }

    [Fact]
    public async Task AClaimCannotStandInForAPeersKey()
    {
        await using var tracker = await RunningTracker.StartAsync(With(("Tracker:Http:AllowClaimedAddress", "true")), ipv6: false);
        var hash = Hash(26);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, extra: "&ip=192.0.2.50&key=1234abcd"));

        // Someone else claims the same address for that peer id, without its key: refused, though the addresses match.
        var hijack = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7009, extra: "&ip=192.0.2.50&event=stopped"));
        Assert.Equal("peer_id is in use by a client with another key", hijack.Failure());
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, extra: "&ip=192.0.2.50&key=1234abcd"))).Failure());
        Assert.Equal(["192.0.2.50:7001"], (await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1))).Peers4());
    }

    private Dictionary<string, string?> With(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task Send(RunningTracker tracker, string url, string? forwardedFor = null, string? clientIp = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        if (clientIp is not null)
        {
            request.Headers.TryAddWithoutValidation("client-ip", clientIp);
        }

        using var response = await tracker.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
