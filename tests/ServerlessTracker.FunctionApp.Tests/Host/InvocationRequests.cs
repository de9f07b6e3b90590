using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServerlessTracker.FunctionApp.Tests.Host.Rpc;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>The <c>InvocationRequest</c>s the host builds for an HTTP request and for a timer tick.</summary>
internal static class InvocationRequests
{
    /// <summary>
    /// An HTTP invocation under ASP.NET Core integration: the trigger binding carries an empty <c>RpcHttp</c> (the
    /// request itself is forwarded over HTTP), and <c>trigger_metadata</c> holds what plain parameters bind from:
    /// each query parameter but <c>code</c>, each route value, and <c>Query</c> and <c>Headers</c> as JSON
    /// (functions-worker.md §10.3).
    /// </summary>
    public static InvocationRequest ForHttp(string invocationId, HttpRoute route, RouteValueDictionary routeValues, HttpRequest request)
    {
        var invocation = New(invocationId, route.Function);
        invocation.InputData.Add(new ParameterBinding { Name = route.Trigger.Name, Data = new TypedData { Http = new RpcHttp() } });

        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Query)
        {
            if (name.Equals("code", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            query[name] = values.ToString();
            invocation.TriggerMetadata[name] = new TypedData { String = values.ToString() };
        }

        // Route values are added after the query, so a route parameter wins over a query parameter of the same name.
        foreach (var (name, value) in routeValues)
        {
            if (value is not null)
            {
                invocation.TriggerMetadata[name] = new TypedData { String = Convert.ToString(value, CultureInfo.InvariantCulture) };
            }
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(query) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(headers) };
        return invocation;
    }

    /// <summary>
    /// A timer tick: the trigger binding carries the TimerInfo JSON that the worker's TimerInfoConverter reads
    /// (camelCase or PascalCase; the host writes PascalCase).
    /// </summary>
    public static InvocationRequest ForTimer(string invocationId, LoadedFunction function, FunctionBinding trigger, bool isPastDue, DateTimeOffset now)
    {
        var invocation = New(invocationId, function);
        var timerInfo = new
        {
            ScheduleStatus = new { Last = now.AddMinutes(-5), Next = now.AddMinutes(5), LastUpdated = now.AddMinutes(-5) },
            IsPastDue = isPastDue,
        };
        invocation.InputData.Add(new ParameterBinding { Name = trigger.Name, Data = new TypedData { Json = JsonSerializer.Serialize(timerInfo) } });
        return invocation;
    }

    private static InvocationRequest New(string invocationId, LoadedFunction function) => new()
    {
        InvocationId = invocationId,
        FunctionId = function.FunctionId,
        // Mandatory: the worker reads it without a null check (functions-worker.md §10.1).
        TraceContext = new RpcTraceContext
        {
            TraceParent = Activity.Current?.Id ?? $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00",
            TraceState = Activity.Current?.TraceStateString ?? "",
        },
    };
}
