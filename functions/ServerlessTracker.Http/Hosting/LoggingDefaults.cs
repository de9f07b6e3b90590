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

    /// <summary>Adds the defaults as the first, lowest-priority configuration source.</summary>
    public static void AddTo(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
}
