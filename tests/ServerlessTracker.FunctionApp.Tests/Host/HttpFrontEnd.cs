using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The host's HTTP side for an ASP.NET Core-integrated worker: route and key check, then what
/// <c>GrpcWorkerChannel</c> + <c>DefaultHttpProxyService</c> do per request: add <c>x-ms-invocation-id</c> with
/// TryAdd (a client-sent header wins, exactly as in the host), start forwarding the real request to the worker's
/// <c>HttpUri</c> with YARP and the default transformer, send the <c>InvocationRequest</c>, and wait for both.
/// </summary>
internal sealed class HttpFrontEnd : IAsyncDisposable
{
    private const string InvocationIdHeader = "x-ms-invocation-id";

    // The host's ForwarderRequestConfig: a worker may take up to 240 s between bytes before YARP gives up.
    private static readonly ForwarderRequestConfig Forwarding = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    private readonly WorkerChannel _channel;
    private readonly EmulatorOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly TaskCompletionSource<Worker> _worker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private IInlineConstraintResolver _constraints = null!;
    private IHttpForwarder _forwarder = null!;

    private HttpFrontEnd(WorkerChannel channel, EmulatorOptions options)
    {
        _channel = channel;
        _options = options;
        // As the host's DefaultHttpProxyService: one pooled handler, no proxy, redirects and cookies left to the client.
        _invoker = new HttpMessageInvoker(new RetryProxyHandler(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        }));
    }

    public Uri BaseAddress { get; private set; } = null!;

    public Uri? IPv6BaseAddress { get; private set; }

    public static async Task<HttpFrontEnd> StartAsync(
        WorkerChannel channel, EmulatorOptions options, CancellationToken cancellationToken)
    {
        var ipv6 = options.ListenOnIPv6 && HasIPv6Loopback();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            if (ipv6)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddRouting();
        builder.Services.AddHttpForwarder();

        var frontEnd = new HttpFrontEnd(channel, options);
        var app = frontEnd._app = builder.Build();
        frontEnd._constraints = app.Services.GetRequiredService<IInlineConstraintResolver>();
        frontEnd._forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        app.Run(frontEnd.ServeAsync);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        frontEnd.BaseAddress = new Uri(addresses.Single(a => !a.Contains('[', StringComparison.Ordinal)) + "/");
        frontEnd.IPv6BaseAddress = addresses.SingleOrDefault(a => a.Contains('[', StringComparison.Ordinal)) is { } v6 ? new Uri(v6 + "/") : null;
        return frontEnd;
    }

    /// <summary>Routes requests to the loaded worker: those that arrived before wait for this, as the host holds
    /// requests until its worker is ready.</summary>
    public void Attach(IReadOnlyList<LoadedFunction> functions, string routePrefix, Uri workerHttpUri, bool workerHandlesCancel) =>
        _worker.TrySetResult(new Worker(new HttpRouteTable(functions, routePrefix, _constraints), workerHttpUri.ToString(), workerHandlesCancel));

    public async ValueTask DisposeAsync()
    {
        _worker.TrySetCanceled();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Requests still waiting on a worker that is going away; DisposeAsync aborts them.
        }

        await _app.DisposeAsync();
        _invoker.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (_options.ClientAddressHeader is { } clientHeader)
        {
            ActAsAppServiceFrontEnd(context, clientHeader);
        }

        Worker worker;
        try
        {
            worker = await _worker.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (worker.Routes.Match(context) is not { } match)
        {
            // The host's homepage answers '/' when no function claims it (204 with the homepage disabled).
            context.Response.StatusCode = context.Request.Path == "/" ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound;
            return;
        }

        var (route, values) = match;
        if (!route.Authorizes(context.Request, _options))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var invocationId = WorkerChannel.NewId();
        var request = InvocationRequests.ForHttp(invocationId, route, values, context.Request);
        Task<ForwarderError>? forwarded = null;
        using var abort = worker.HandlesCancel ? context.RequestAborted.Register(() => _channel.Cancel(invocationId)) : default;
        // The host starts forwarding first, then sends the InvocationRequest (GrpcWorkerChannel.SendInvocationRequest).
        var result = await _channel.InvokeAsync(request, _options.FunctionTimeout, worker.HandlesCancel, () =>
        {
            context.Request.Headers.TryAdd(InvocationIdHeader, invocationId);
            forwarded = _forwarder.SendAsync(context, worker.Destination, _invoker, Forwarding, HttpTransformer.Default).AsTask();
        }, CancellationToken.None);
        var error = forwarded is null ? ForwarderError.None : await forwarded;

        // The host's EnsureSuccessfulForwardingAsync throws on a failed invocation or forward; its exception
        // handling turns that into a 500 if nothing has been sent yet.
        if ((!result.Succeeded || error != ForwarderError.None) && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    // App Service's front end hands the host the client's address in CLIENT-IP (ip:port), overwriting any value the
    // client sent (what the tracker's client-address rule relies on). The test's header names the client it plays.
    private static void ActAsAppServiceFrontEnd(HttpContext context, string clientHeader)
    {
        if (!context.Request.Headers.Remove(clientHeader, out var claimed) || claimed.ToString() is not { Length: > 0 } text)
        {
            context.Request.Headers["CLIENT-IP"] = new IPEndPoint(context.Connection.RemoteIpAddress!, context.Connection.RemotePort).ToString();
            return;
        }

        var endpoint = IPEndPoint.TryParse(text, out var parsed) ? parsed : throw new Microsoft.AspNetCore.Http.BadHttpRequestException($"{clientHeader}: '{text}' is not an address.");
        var port = endpoint.Port != 0 ? endpoint.Port : context.Connection.RemotePort;
        context.Connection.RemoteIpAddress = endpoint.Address;
        context.Connection.RemotePort = port;
        context.Request.Headers["CLIENT-IP"] = new IPEndPoint(endpoint.Address, port).ToString();
    }

    private static bool HasIPv6Loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed record Worker(HttpRouteTable Routes, string Destination, bool HandlesCancel);
}
