using System.Diagnostics.Metrics;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Registers the tracker's meter and, when an exporter is configured, OpenTelemetry metrics export.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Meters exported besides the tracker's own: the Table store, sync, the UDP relay and the HTTP transports publish on these.</summary>
    public static readonly string[] ComponentMeters = ["ServerlessTracker.Storage", "ServerlessTracker.Sync", "ServerlessTracker.UdpRelay", TransportMeter.Name];

    public static IServiceCollection AddTrackerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MetricsOptions.Section);
        services.AddOptions<MetricsOptions>().Bind(section)
            .Configure(o => o.ApplicationInsightsConnectionString ??= configuration[MetricsOptions.ApplicationInsightsVariable]).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.TryAddSingleton(sp => new TrackerMetrics(sp.GetRequiredService<IMeterFactory>().Create(TrackerMetrics.MeterName)));

        var prometheus = section.GetValue<bool>(nameof(MetricsOptions.Prometheus));
        var appInsights = section[nameof(MetricsOptions.ApplicationInsightsConnectionString)] ?? configuration[MetricsOptions.ApplicationInsightsVariable];
        if (!prometheus && string.IsNullOrWhiteSpace(appInsights))
        {
            // No exporter: no MeterProvider, so instruments stay unobserved and cost next to nothing.
            return services;
        }

        var exportSeconds = section.GetValue<int?>(nameof(MetricsOptions.ExportSeconds)) ?? 60;
        var region = configuration["Tracker:Region"] is { Length: > 0 } name ? name : "local";
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("serverless-tracker", serviceInstanceId: Environment.MachineName)
                .AddAttributes([new KeyValuePair<string, object>("tracker.region", region)]))
            .WithMetrics(metrics =>
        {
            metrics.AddMeter(TrackerMetrics.MeterName).AddMeter(ComponentMeters);
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (!string.IsNullOrWhiteSpace(appInsights))
            {
                metrics.AddReader(sp => new PeriodicExportingMetricReader(
                    new AzureMonitorMetricExporter(new AzureMonitorExporterOptions { ConnectionString = appInsights, Credential = EntraCredential(configuration) }),
                    exportSeconds * 1000));
            }
        });
        return services;
    }

    /// <summary>With local auth off (the Bicep's choice), Application Insights takes only Entra tokens. The Functions host
    /// learns that from <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> (<c>ClientId=...;Authorization=AAD</c>);
    /// the exporter reads the same setting, so one setting serves both.</summary>
    internal static Azure.Core.TokenCredential? EntraCredential(IConfiguration configuration)
    {
        var authentication = configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        if (string.IsNullOrWhiteSpace(authentication) || !authentication.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string? clientId = null;
        foreach (var part in authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("ClientId=", StringComparison.OrdinalIgnoreCase))
            {
                clientId = part["ClientId=".Length..];
            }
        }

        return new Azure.Identity.DefaultAzureCredential(new Azure.Identity.DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text format) when enabled.</summary>
    public static IEndpointRouteBuilder MapTrackerMetrics(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        return app;
    }
}
