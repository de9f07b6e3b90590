namespace ServerlessTracker.Fuzz;

/// <summary>Adds SharpFuzz's AFL coverage probes to the assemblies under test, in place.</summary>
/// <remarks>
/// Our own assemblies are instrumented whole; of Azure.Core only the CloudEvent parser (<c>Azure.Messaging</c>), which
/// reads sync deliveries. The framework (System.*) is precompiled mixed-mode code and cannot be instrumented, so
/// System.Text.Json counts as one opaque call. A stamp file keeps a second run from instrumenting twice.
/// </remarks>
internal static class Instrumentation
{
    private static readonly (string Assembly, string? TypePrefix)[] Targets =
    [
        ("ServerlessTracker.Protocol.dll", null),
        ("ServerlessTracker.Engine.dll", null),
        ("ServerlessTracker.Sync.dll", null),
        ("ServerlessTracker.Http.dll", null),
        ("ServerlessTracker.UdpRelay.dll", null),
        ("Azure.Core.dll", "Azure.Messaging"),
    ];

    public static int Run(string directory)
    {
        var stamp = Path.Combine(directory, ".instrumented");
        if (File.Exists(stamp))
        {
            Console.WriteLine("already instrumented");
            return 0;
        }

        foreach (var (assembly, prefix) in Targets)
        {
            var path = Path.Combine(directory, assembly);
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"missing {path}");
                return 1;
            }

            SharpFuzz.Fuzzer.Instrument(path, type => prefix is null || type.StartsWith(prefix, StringComparison.Ordinal), SharpFuzz.Options.Value);
            Console.WriteLine($"instrumented {assembly}{(prefix is null ? "" : $" ({prefix}.*)")}");
        }

        File.WriteAllText(stamp, DateTime.UtcNow.ToString("O"));
        return 0;
    }
}
