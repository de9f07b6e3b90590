using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Http.Tests.Properties;

/// <summary>One real app on Kestrel fed hostile requests: tracker paths always answer 200 with bencode, nothing answers 500.</summary>
public sealed class WhenFuzzingTheRunningApp : IAsyncLifetime
{
    private const string Key = "fuzz-receiver-key-0123456789abcdef";
    private RunningTracker _tracker = null!;
    private RunningTracker _kestrel = null!;

    public async Task InitializeAsync()
    {
        _tracker = await RunningTracker.StartAsync(Settings(fastPath: true), ipv6: false);
        _kestrel = await RunningTracker.StartAsync(Settings(fastPath: false), ipv6: false);
    }

    public async Task DisposeAsync()
    {
        await _tracker.DisposeAsync();
        await _kestrel.DisposeAsync();
    }

    private static Dictionary<string, string?> Settings(bool fastPath) => new()
    {
        ["Tracker:Sync:ReceiverKey"] = Key,
        ["Tracker:RateLimit:RequestsPerSecond"] = "0",
        ["Tracker:Http:FastPath"] = fastPath ? "true" : "false",
    };

    // Every character RFC 3986 allows in a query; others (quotes, braces, backslash) are refused by Kestrel with 400 before our code.
    private const string QueryCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%";

    /// <summary>Query strings as clients and attackers send them: known keys with odd values, and any query characters at all.</summary>
    private static Gen<string> Queries() => Gen.OneOf(
        Properties.QueryBytes().Select(b => Encoding.ASCII.GetString(b)),
        Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Elements(QueryCharacters.ToCharArray()), n)).Select(c => new string(c)));

    /// <summary>On the connection fast path (standalone's default), which answers these requests itself.</summary>
    [Property(MaxTest = 300)]
    public Property AnnounceAndScrapeAlwaysAnswerBencodeWithStatus200() => TrackerPathsAnswerBencode(_tracker);

    /// <summary>Through Kestrel's HTTP pipeline (the fast path off, as under the Functions host).</summary>
    [Property(MaxTest = 300)]
    public Property AnnounceAndScrapeAlwaysAnswerBencodeWithStatus200ThroughKestrel() => TrackerPathsAnswerBencode(_kestrel);

    private static Property TrackerPathsAnswerBencode(RunningTracker tracker) =>
        Prop.ForAll(Queries().ToArbitrary(), Gen.Elements("/announce", "/scrape", "/announce/0123456789abcdef0123456789abcdef", "/scrape/not-a-passkey").ToArbitrary(), (query, path) =>
        {
            var (status, body) = RawHttp.SendAsync(tracker.BaseV4, "GET", path + "?" + query).GetAwaiter().GetResult();
            return status == 200 && BencodeDecoder.TryDecode(body, out _, out _);
        });

    [Property(MaxTest = 300)]
    public Property DeliveriesNeverAnswer500() =>
        Prop.ForAll(JsonNoise.Documents().ToArbitrary(), Gen.Elements("/sync/events", "/sync/events?code=" + Key).ToArbitrary(), (body, path) =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/cloudevents+json");
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.Add("aeg-sas-key", Key);
            using var response = _tracker.Client.Send(request);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest;
        });
}

/// <summary>Shared query generators (the protocol tests have their own; this project does not reference them).</summary>
internal static class Properties
{
    private static readonly string[] Pairs =
        ["info_hash=%12%34%56%78%9a%bc%de%f0%12%34%56%78%9a%bc%de%f0%12%34%56%78", "peer_id=-ST0001-000000000001", "port=6881", "port=0", "port=70000",
         "left=0", "left=-1", "uploaded=1", "downloaded=x", "event=started", "event=bogus", "numwant=9999999999", "compact=0", "no_peer_id=1",
         "key=%zz", "ip=1.2.3.4", "ipv6=[::1]:1", "info_hash=%", "info_hash=", "&&", "=", "%", "passkey=abc"];

    public static Gen<byte[]> QueryBytes() =>
        Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements(Pairs), n)).Select(p => Encoding.ASCII.GetBytes(string.Join("&", p)));
}
