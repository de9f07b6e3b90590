using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;
using Yarp.ReverseProxy.Forwarder;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Hosting;

/// <summary>
/// Puts a YARP IHttpForwarder in front of the app, as the Functions host does with
/// enableProxyingHttpRequest, and checks that raw query bytes and the client address survive the hop.
/// </summary>
public sealed class WhenTheFunctionsHostProxies : IAsyncLifetime
{
    private RunningTracker _tracker = null!;
    private WebApplication _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = WhenBehindProxies.FreePort();
        _tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString() }, urls: "");

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHttpForwarder();
        _host = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
        var destination = $"http://127.0.0.1:{port}/";
        _host.Map("/{**path}", async (HttpContext context, IHttpForwarder forwarder) =>
        {
            // The App Service front end stamps the caller's address in client-ip before the host sees the request.
            context.Request.Headers["client-ip"] = context.Request.Headers["X-Test-Client"].ToString();
            await forwarder.SendAsync(context, destination, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default);
        });
        await _host.StartAsync();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        await _tracker.DisposeAsync();
    }

    [Fact]
    public async Task BinaryHashesRepeatedKeysAndTheClientAddressSurvive()
    {
        var invalidUtf8 = Enumerable.Repeat((byte)0xC0, 20).ToArray();
        var other = Hash(41);
        await Through(AnnounceUrl(invalidUtf8, 1, port: 7001), "198.51.100.20:3333");
        await Through(AnnounceUrl(other, 2, port: 7002, left: 8), "198.51.100.21:4444");

        var answer = await Through(AnnounceUrl(invalidUtf8, 3, port: 7003, left: 8), "198.51.100.22:5555");
        Assert.Equal(["198.51.100.20:7001"], answer.Peers4());
        Assert.Equal(new byte[] { 198, 51, 100, 22 }, answer["external ip"]!.Bytes);

        var files = (await Through(ScrapeUrl(invalidUtf8, other), "198.51.100.23:1"))["files"]!;
        Assert.Equal(2, files.Entries.Count);
        Assert.Equal(1, files.Find(invalidUtf8)!["complete"]!.Integer);
        Assert.Equal(1, files.Find(other)!["incomplete"]!.Integer);
    }

    private async Task<ServerlessTracker.Protocol.Bencode.BencodeValue> Through(string url, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Test-Client", client);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ServerlessTracker.Protocol.Bencode.BencodeDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
    }
}
