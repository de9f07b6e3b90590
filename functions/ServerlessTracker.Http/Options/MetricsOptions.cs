namespace ServerlessTracker.Http.Options;

/// <summary>Metrics export (configuration section <c>Tracker:Metrics</c>).</summary>
/// <remarks>Application Insights receives the metrics whenever <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set
/// (the Functions platform sets it when the app is linked to an Application Insights resource).</remarks>
public sealed class MetricsOptions
{
    public const string Section = "Tracker:Metrics";

    public const string ApplicationInsightsVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Serve the metrics in Prometheus text format at <c>/metrics</c>. Default false.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Application Insights connection string (read from <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>). Default none.</summary>
    public string? ApplicationInsightsConnectionString { get; set; }

    /// <summary>Seconds between exports to Application Insights. Default 60.</summary>
    [System.ComponentModel.DataAnnotations.Range(5, 3600)]
    public int ExportSeconds { get; set; } = 60;
}
