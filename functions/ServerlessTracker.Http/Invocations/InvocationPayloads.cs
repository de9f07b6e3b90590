using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessTracker.Http.Invocations;

/// <summary>What the Functions host POSTs to <c>/{functionName}</c> for a non-HTTP trigger: trigger data and metadata.</summary>
public sealed class InvocationRequest
{
    public Dictionary<string, JsonElement>? Data { get; set; }

    public Dictionary<string, JsonElement>? Metadata { get; set; }
}

/// <summary>What a custom handler answers an invocation: output bindings, log lines for the host, a return value.</summary>
public sealed class InvocationResponse
{
    public Dictionary<string, object?> Outputs { get; set; } = [];

    public List<string> Logs { get; set; } = [];

    public object? ReturnValue { get; set; }
}

/// <summary>Source-generated JSON for the invocation contract (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(InvocationRequest))]
[JsonSerializable(typeof(InvocationResponse))]
public sealed partial class InvocationJsonContext : JsonSerializerContext;
