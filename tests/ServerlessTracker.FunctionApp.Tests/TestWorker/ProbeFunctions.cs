using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ServerlessTracker.TestWorker;

/// <summary>
/// The functions the emulator's tests observe: each answers with what the worker saw, so a test can tell what
/// the host (emulator) delivered rather than what the client sent.
/// </summary>
public sealed partial class ProbeFunctions(ILogger<ProbeFunctions> logger)
{
    /// <summary>
    /// Answers, one per line: the raw query string as Kestrel received it, the client address after the worker's
    /// forwarded-headers step, the header that step keeps of the original peer, the catch-all route value, what is
    /// left of X-Forwarded-For after that step, CLIENT-IP, and the invocation id the request was correlated by.
    /// Written as bytes from a Task-returning function: the hot-path shape the tracker uses (functions-worker.md §1.4).
    /// </summary>
    [Function("echo")]
    public static async Task Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "echo/{*rest}")] HttpRequest req)
    {
        var text = string.Join('\n',
            req.QueryString.Value ?? "",
            req.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "",
            req.Headers["X-Original-For"].ToString(),
            req.RouteValues.TryGetValue("rest", out var rest) ? rest?.ToString() ?? "" : "",
            req.Headers["X-Forwarded-For"].ToString(),
            req.Headers["CLIENT-IP"].ToString(),
            req.Headers["x-ms-invocation-id"].ToString()) + "\n";
        // Latin-1 keeps each char of the (ASCII, percent-encoded) query as one byte.
        var body = Encoding.Latin1.GetBytes(text);
        req.HttpContext.Response.ContentType = "text/plain";
        req.HttpContext.Response.ContentLength = body.Length;
        await req.HttpContext.Response.Body.WriteAsync(body);
    }

    /// <summary>A function-level route: the host must ask for a key before the worker sees the request.</summary>
    [Function("secret")]
    public static Task Secret([HttpTrigger(AuthorizationLevel.Function, "get")] HttpRequest req)
    {
        req.HttpContext.Response.ContentType = "text/plain";
        return req.HttpContext.Response.WriteAsync("secret");
    }

    /// <summary>
    /// Plain parameters bind from the host's <c>trigger_metadata</c> (route values and query parameters), not from
    /// the forwarded request: the host must send them (functions-worker.md §10.3).
    /// </summary>
    [Function("greet")]
    public static Task Greet([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "greet/{who}")] HttpRequest req, string who, string? greeting)
    {
        req.HttpContext.Response.ContentType = "text/plain";
        return req.HttpContext.Response.WriteAsync($"{greeting ?? "(null)"}, {who ?? "(null)"}");
    }

    /// <summary>Streams the request body back: bodies travel through the host's forwarder, never over gRPC.</summary>
    [Function("mirror")]
    public static async Task Mirror([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "mirror")] HttpRequest req)
    {
        req.HttpContext.Response.ContentType = req.ContentType ?? "application/octet-stream";
        await req.Body.CopyToAsync(req.HttpContext.Response.Body);
    }

    /// <summary>Fails before writing anything: the host turns the failed invocation into a 500.</summary>
    [Function("boom")]
    public static Task Boom([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req) =>
        throw new InvalidOperationException("boom: the probe failed on purpose");

    /// <summary>A timer whose schedule only the host can resolve (from the app setting TestSchedule).</summary>
    [Function("tick")]
    public void Tick([TimerTrigger("%TestSchedule%")] TimerInfo timer)
    {
        // Warning: the worker's log level; the emulator's tests read this line back from the invocation's RpcLogs.
        TickRan(logger, timer.IsPastDue, timer.ScheduleStatus?.Next);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "tick ran; past due {IsPastDue}, next {Next:O}")]
    private static partial void TickRan(ILogger logger, bool isPastDue, DateTime? next);
}
