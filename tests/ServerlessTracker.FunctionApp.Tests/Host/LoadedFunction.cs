using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.FunctionApp.Tests.Host.Rpc;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// One function as the worker described it in <c>FunctionMetadataResponse</c>, loaded by the emulator. The bindings
/// come from <c>raw_bindings</c> (the JSON the worker's source generator wrote), because that is where the host
/// reads routes, methods, auth levels and schedules from; <c>bindings</c> only carries type and direction.
/// </summary>
public sealed partial class LoadedFunction
{
    internal LoadedFunction(RpcFunctionMetadata metadata, IReadOnlyList<FunctionBinding> bindings)
    {
        Metadata = metadata;
        Bindings = bindings;
        Trigger = bindings.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
    }

    public string Name => Metadata.Name;

    public string FunctionId => Metadata.FunctionId;

    public string EntryPoint => Metadata.EntryPoint;

    public string ScriptFile => Metadata.ScriptFile;

    public IReadOnlyList<FunctionBinding> Bindings { get; }

    /// <summary>The trigger binding (type ending in <c>Trigger</c>), or null for a function without one.</summary>
    public FunctionBinding? Trigger { get; }

    /// <summary>A timer trigger's schedule after the host's <c>%AppSetting%</c> resolution; null otherwise or if unresolved.</summary>
    public string? ResolvedSchedule { get; private set; }

    /// <summary>Why the host would hold this function in error (e.g. an unresolved <c>%Setting%</c>); null when fine.</summary>
    public string? Error { get; private set; }

    internal RpcFunctionMetadata Metadata { get; }

    public override string ToString() => $"{Name} ({Trigger?.Type ?? "no trigger"})";

    internal static LoadedFunction Parse(RpcFunctionMetadata metadata)
    {
        var bindings = new List<FunctionBinding>();
        foreach (var raw in metadata.RawBindings)
        {
            bindings.Add(FunctionBinding.Parse(raw));
        }

        return new LoadedFunction(metadata, bindings);
    }

    /// <summary>
    /// Resolves <c>%Name%</c> in a timer schedule as the host does when it indexes the function: from the app
    /// settings, then the environment the host runs in. An unresolved name puts the function in error with the
    /// host's own message.
    /// </summary>
    internal void ResolveSchedule(IReadOnlyDictionary<string, string?> appSettings)
    {
        if (Trigger is not { Schedule: { } schedule } || !Trigger.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string? unresolved = null;
        var resolved = SettingReference().Replace(schedule, match =>
        {
            var name = match.Groups[1].Value;
            var value = appSettings.TryGetValue(name, out var setting) ? setting : Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                unresolved ??= match.Value;
                return match.Value;
            }

            return value;
        });
        if (unresolved is null)
        {
            ResolvedSchedule = resolved;
        }
        else
        {
            Error = $"The '{Name}' function is in error: Microsoft.Azure.WebJobs.Host: Error indexing method 'Functions.{Name}'. " +
                $"Microsoft.Azure.WebJobs.Host: '{unresolved}' does not resolve to a value.";
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}

/// <summary>One entry of a function's <c>raw_bindings</c>, with the properties the host acts on pulled out.</summary>
public sealed record FunctionBinding(
    string Name,
    string Type,
    string Direction,
    string? Route,
    IReadOnlyList<string> Methods,
    string? AuthLevel,
    string? Schedule,
    string RawJson)
{
    internal static FunctionBinding Parse(string rawJson)
    {
        using var document = JsonDocument.Parse(rawJson);
        var root = document.RootElement;
        var methods = new List<string>();
        if (Find(root, "methods") is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var method in array.EnumerateArray())
            {
                methods.Add(method.GetString() ?? "");
            }
        }

        return new FunctionBinding(
            Text(root, "name") ?? "",
            Text(root, "type") ?? "",
            Text(root, "direction") ?? "",
            Text(root, "route"),
            methods,
            Text(root, "authLevel"),
            Text(root, "schedule"),
            rawJson);
    }

    // The generator writes camelCase, hand-written function.json files vary: match names the way the host does.
    private static JsonElement? Find(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Text(JsonElement root, string name) =>
        Find(root, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
