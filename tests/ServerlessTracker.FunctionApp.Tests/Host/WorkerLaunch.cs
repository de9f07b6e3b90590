using System.Globalization;
using System.Text.Json;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The command line the host builds for a worker from its <c>worker.config.json</c> (host <c>RpcWorkerContext.
/// GetFormattedArguments</c>): <c>{executable} {arguments} {workerPath} {workerArguments}</c> followed by the
/// connection switches, both the legacy ones and the <c>--functions-*</c> ones the .NET worker reads.
/// </summary>
internal sealed record WorkerLaunch(string Executable, IReadOnlyList<string> Arguments)
{
    // The host passes int.MaxValue; without the switch the worker's gRPC limits are 0 and it dies at once (§10.2).
    private const string MaxMessageLength = "2147483647";

    public static WorkerLaunch Read(string workerDirectory, Uri rpcUri, string workerId, string requestId)
    {
        var configPath = Path.Combine(workerDirectory, "worker.config.json");
        if (!File.Exists(configPath))
        {
            throw new FunctionsHostEmulatorException(
                $"No worker.config.json in '{workerDirectory}': pass the PUBLISH directory of an isolated worker (the Worker SDK writes it).");
        }

        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        var description = config.RootElement.GetProperty("description");
        var executable = Expand(Text(description, "defaultExecutablePath") ?? "dotnet", workerDirectory);
        var workerPath = Text(description, "defaultWorkerPath") is { Length: > 0 } path ? Expand(path, workerDirectory) : null;

        var arguments = new List<string>(Strings(description, "arguments"));
        if (workerPath is not null)
        {
            arguments.Add(Path.IsPathRooted(workerPath) ? workerPath : Path.Combine(workerDirectory, workerPath));
        }

        arguments.AddRange(Strings(description, "workerArguments"));
        var host = rpcUri.Host;
        var port = rpcUri.Port.ToString(CultureInfo.InvariantCulture);
        arguments.AddRange([
            "--host", host, "--port", port, "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", MaxMessageLength,
            "--functions-uri", $"http://{host}:{port}/", "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", MaxMessageLength,
        ]);

        return new WorkerLaunch(ResolveExecutable(executable), arguments);
    }

    // "dotnet" is looked up by the host on its PATH; a test run already knows its own muxer, which keeps the worker
    // on the SDK/runtime the tests were built with.
    private static string ResolveExecutable(string executable)
    {
        if (!executable.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return executable;
        }

        var muxer = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return muxer is { Length: > 0 } && File.Exists(muxer) ? muxer : "dotnet";
    }

    // {WorkerRoot} is the worker directory with a trailing separator (self-contained and AOT publishes use it).
    private static string Expand(string value, string workerDirectory) =>
        value.Replace("{WorkerRoot}", Path.TrimEndingDirectorySeparator(workerDirectory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.GetString() is { Length: > 0 } text)
            {
                yield return text;
            }
        }
    }
}
