using Microsoft.Extensions.Configuration.Memory;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Log levels every host starts from; appsettings, environment and command line still override them.</summary>
/// <remarks>ASP.NET Core's request log would write every query string, and with it passkeys and the <c>code</c> of
/// function-key routes; at a tracker's request rate it would also cost more than the announce itself.</remarks>
public static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    // Under the Functions host every log line the worker keeps is also a gRPC message to the host: only warnings, and the
    // tracker's own information (a purge's report), cross it.
    private static readonly Dictionary<string, string?> WorkerLevels = new(Levels)
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:ServerlessTracker"] = "Information",
    };

    /// <summary>Adds the defaults as the first, lowest-priority configuration source.</summary>
    public static void AddTo(IConfigurationBuilder configuration, FunctionsHost? host = null) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = host?.IsHosted == true ? WorkerLevels : Levels });
}
