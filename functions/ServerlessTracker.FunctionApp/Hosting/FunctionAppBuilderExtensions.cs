using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Http.Hosting;

namespace ServerlessTracker.FunctionApp.Hosting;

/// <summary>Wires the tracker into the isolated worker: the same registration as the self-hosted server, with the host's
/// defaults (no in-process purge, the host's loopback trusted as a proxy), plus what only the worker needs.</summary>
public static class FunctionAppBuilderExtensions
{
    public static FunctionsApplicationBuilder AddTrackerFunctionApp(this FunctionsApplicationBuilder builder)
    {
        LoggingDefaults.AddTo(builder.Configuration, FunctionsHost.Worker);
        builder.Services.AddTracker(builder.Configuration, FunctionsHost.Worker);

        // The worker's pipeline starts with UseForwardedHeaders, which would replace the connection's address (the host, on
        // the loopback) with the last X-Forwarded-For hop: the tracker's own rule (ClientAddressReader, trusted proxies,
        // client-ip first) must see the real connection, as it does self-hosted.
        builder.Services.Configure<ForwardedHeadersOptions>(static options => options.ForwardedHeaders = ForwardedHeaders.None);
        // The same request limits as self-hosted (a query of up to Tracker:Http:MaxQueryLength, few headers, small bodies).
        builder.Services.Configure<KestrelServerOptions>(options => KestrelTuning.Apply(options, builder.Configuration, FunctionsHost.Worker));
        builder.Services.AddSingleton<OperatorRoutes>();
        return builder;
    }
}
