namespace ServerlessTracker.Http.Hosting;

/// <summary>Whether the Azure Functions host runs this process as its custom handler, and on which port.</summary>
/// <remarks>
/// The host sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and forwards every invocation to
/// <c>http://127.0.0.1:{port}</c>: HTTP triggers proxied as they came (host.json
/// <c>enableProxyingHttpRequest</c>), timer and Event Grid triggers as <c>POST /{functionName}</c>.
/// </remarks>
public sealed record FunctionsHost(int? Port)
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string StandaloneUrls = "http://localhost:7071";

    public bool IsHosted => Port is not null;

    public static FunctionsHost FromConfiguration(IConfiguration configuration)
    {
        var value = configuration[PortVariable];
        if (string.IsNullOrWhiteSpace(value))
        {
            return new FunctionsHost((int?)null);
        }

        return int.TryParse(value, out var port) && port is > 0 and <= 65535
            ? new FunctionsHost(port)
            : throw new InvalidOperationException($"{PortVariable} must be a TCP port, not '{value}'.");
    }

    /// <summary>Listens where the host expects, or on the standalone default unless URLs were given.</summary>
    public void ConfigureUrls(WebApplicationBuilder builder)
    {
        if (Port is { } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(StandaloneUrls);
        }
    }
}
