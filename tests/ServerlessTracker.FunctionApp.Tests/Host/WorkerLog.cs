using Microsoft.Extensions.Logging;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>One <c>RpcLog</c> the worker sent; <see cref="InvocationId"/> is set for logs written inside a function.</summary>
public sealed record WorkerLog(DateTimeOffset Time, string? InvocationId, string Category, LogLevel Level, string Message, string? Exception)
{
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} rpc {Level} {Category}{(InvocationId is null ? "" : $" [{InvocationId}]")}: {Message}{(Exception is null ? "" : " | " + Exception)}";
}

/// <summary>How the worker said an invocation ended (<c>StatusResult.status</c>).</summary>
public enum InvocationStatus
{
    Failure = 0,
    Success = 1,
    Cancelled = 2,
}

/// <summary>The worker's <c>InvocationResponse</c> for one invocation, with the RpcLogs written during it.</summary>
public sealed record InvocationResult(
    string InvocationId,
    InvocationStatus Status,
    string? ExceptionMessage,
    string? ExceptionType,
    IReadOnlyList<WorkerLog> Logs,
    TimeSpan Duration)
{
    public bool Succeeded => Status == InvocationStatus.Success;

    public override string ToString() =>
        $"{InvocationId}: {Status} in {Duration.TotalMilliseconds:F0} ms{(ExceptionMessage is null ? "" : $" ({ExceptionType}: {ExceptionMessage})")}";
}
