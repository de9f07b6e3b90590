using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServerlessTracker.Hosting.Health;

/// <summary><c>GET|HEAD /health</c> (liveness: the process answers; nothing else is asked) and <c>GET|HEAD /health/ready</c>
/// (readiness: every check tagged <see cref="TrackerHealth.ReadyTag"/> passes), the same on every front door.</summary>
/// <remarks>
/// Ready answers 200, not ready 503, both with a small JSON body naming each check and its reason:
/// <c>{"status":"ready","checks":{"store":"Table Storage answered"}}</c>. Open to anyone, as probes carry no credentials,
/// so the bodies say nothing an outsider could use. Never cached by a proxy (<c>Cache-Control: no-store</c>).
/// </remarks>
public static class HealthEndpoints
{
    public const string LivePath = "/health";
    public const string ReadyPath = "/health/ready";

    private static readonly byte[] Alive = "ok\n"u8.ToArray();

    /// <summary>Maps both endpoints; <paramref name="services"/> is where the checks live when it is not the app's own
    /// container (the relay's side port runs a small app of its own over the relay's services).</summary>
    public static IEndpointRouteBuilder MapTrackerHealth(this IEndpointRouteBuilder app, IServiceProvider? services = null)
    {
        var readiness = (services ?? app.ServiceProvider).GetRequiredService<TrackerReadiness>();
        app.MapMethods(LivePath, [HttpMethods.Get, HttpMethods.Head], static context =>
        {
            var response = context.Response;
            response.ContentType = "text/plain; charset=utf-8";
            return WriteAsync(context, StatusCodes.Status200OK, Alive);
        });
        app.MapMethods(ReadyPath, [HttpMethods.Get, HttpMethods.Head], context => ServeReadyAsync(context, readiness));
        return app;
    }

    private static async Task ServeReadyAsync(HttpContext context, TrackerReadiness readiness)
    {
        HealthReport? report;
        try
        {
            report = await readiness.CheckAsync().WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception)
        {
            // The checks catch their own faults; this is a fault of the machinery. Still an answer a prober understands.
            report = null;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        var ready = report is not null && report.Status != HealthStatus.Unhealthy;
        await WriteAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, Describe(report, ready)).ConfigureAwait(false);
    }

    /// <summary><c>{"status":"ready"|"not ready","checks":{"name":"reason",...}}</c>, checks in registration order.</summary>
    internal static byte[] Describe(HealthReport? report, bool ready)
    {
        using var buffer = new MemoryStream(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", ready ? "ready" : "not ready");
            json.WriteStartObject("checks");
            if (report is null)
            {
                json.WriteString("health", "the checks did not run");
            }
            else
            {
                foreach (var (name, entry) in report.Entries)
                {
                    json.WriteString(name, entry.Description ?? entry.Status.ToString());
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
