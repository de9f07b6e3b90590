using System.Net;
using System.Text;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Sync;
using ServerlessTracker.Sync.Receiving;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Security;

/// <summary>Routes that change state (sync deliveries, invocations) refuse whoever cannot prove they may call them.</summary>
public sealed class WhenCallingProtectedRoutes : IAsyncLifetime
{
    private const string Key = "the-receiver-key-0123456789abcdef";
    private const string AdminToken = "the-admin-token-0123456789abcdef";
    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() =>
        _tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Sync:ReceiverKey"] = Key,
            ["Tracker:Admin:Token"] = AdminToken,
            ["Tracker:Network:TrustedProxies:0"] = "127.0.0.1",
        }, ipv6: false);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? key = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("""{"Data":{},"Metadata":{}}""", Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("aeg-sas-key", key);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await _tracker.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("POST", "/sync/events", null)]
    [InlineData("POST", "/sync/events", "wrong")]
    [InlineData("POST", "/sync/events", "the-receiver-key-0123456789abcde")]
    [InlineData("POST", "/sync/events", "the-receiver-key-0123456789abcdef0")]
    [InlineData("OPTIONS", "/sync/events", null)]
    [InlineData("OPTIONS", "/sync/events", "wrong")]
    public async Task AMissingOrWrongKeyIsRefused(string method, string path, string? key) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(new HttpMethod(method), path, key));

    [Theory]
    [InlineData("POST", "/sync/events?code=" + Key)]
    [InlineData("POST", "/sync/events?aeg-sas-key=" + Key)]
    [InlineData("OPTIONS", "/sync/events?code=" + Key)]
    public async Task TheReceiverKeyInTheQueryStringIsRefused(string method, string pathAndQuery) =>
        // A header only: a key in the URL ends up in access logs and proxies' caches.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(new HttpMethod(method), pathAndQuery));

    [Theory]
    [InlineData("GET", "/sync/events")]
    [InlineData("HEAD", "/sync/events")]
    [InlineData("PUT", "/sync/events")]
    public async Task OtherMethodsAreNotServedEvenWithTheKey(string method, string path) =>
        Assert.Equal(HttpStatusCode.MethodNotAllowed, await SendAsync(new HttpMethod(method), path, Key));

    [Theory]
    [InlineData("GET", "/admin/passkeys", null)]
    [InlineData("POST", "/admin/passkeys", null)]
    [InlineData("HEAD", "/admin/passkeys", null)]
    [InlineData("OPTIONS", "/admin/passkeys", null)]
    [InlineData("DELETE", "/admin/passkeys/0123456789abcdef0123456789abcdef", null)]
    [InlineData("GET", "/admin/passkeys", "Bearer the-admin-token-0123456789abcde")]
    [InlineData("GET", "/admin/passkeys", "Bearer the-receiver-key-0123456789abcdef")]
    [InlineData("GET", "/admin/passkeys?token=the-admin-token-0123456789abcdef", null)]
    [InlineData("GET", "/admin/passkeys", "Basic dGhlLWFkbWluLXRva2VuLTAxMjM0NTY3ODk=")]
    [InlineData("GET", "/manage/passkeys", null)]
    [InlineData("GET", "/admin/settings", null)]
    [InlineData("GET", "/admin/swarms", null)]
    public async Task TheAdminApiServesNothingWithoutItsToken(string method, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _tracker.Client.SendAsync(request);
        Assert.False(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}");
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task TheAdminTokenIsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/passkeys");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await _tracker.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheRightKeyIsAccepted()
    {
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Options, "/sync/events", Key));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(HttpMethod.Post, "/sync/events", Key));
    }

    [Fact]
    public async Task AForwardedAddressFromAnUntrustedPeerNeitherMovesAPeerNorEscapesItsBudget()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "1",
            ["Tracker:RateLimit:Burst"] = "3",
        }, ipv6: false);
        var hash = Hash(710);
        var answers = new List<Protocol.Bencode.BencodeValue>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, AnnounceUrl(hash, i, port: 7100 + i, left: 1));
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i}");
            request.Headers.Add("client-ip", $"198.51.100.{100 + i}");
            using var response = await tracker.Client.SendAsync(request);
            answers.Add(Protocol.Bencode.BencodeDecoder.Decode(await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal(["127.0.0.1:7100", "127.0.0.1:7101"], answers[2].Peers4().Order());
        Assert.True(answers.Skip(3).Count(a => a.Failure() is not null) >= 2, "rotating forwarded headers escaped the budget");
    }

    [Fact]
    public void TheReceiverKeyIsComparedAsFixedLengthDigests()
    {
        // The comparison hashes both sides first: a presented key of any length costs the same and reveals nothing.
        var auth = new SyncReceiverAuth(Microsoft.Extensions.Options.Options.Create(new SyncOptions { ReceiverKey = Key }));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers["aeg-sas-key"] = new string('x', SyncReceiverAuth.MaxKeyLength + 1);
        Assert.False(auth.IsAuthorized(context.Request));
        context.Request.Headers["aeg-sas-key"] = Key;
        Assert.True(auth.IsAuthorized(context.Request));
    }
}
