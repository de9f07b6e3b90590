using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Maps the admin API twice: at <c>/admin</c> (standalone; the contract other tools use) and at <c>/manage</c>
/// (the <c>manage</c> function under the Functions host, which reserves <c>/admin</c> for its own API and refuses
/// function routes that start with <c>admin</c>). Both run the same handlers behind <see cref="AdminAuthorization"/>.</summary>
public static class AdminEndpoints
{
    public const string StandalonePrefix = "/admin";
    public const string FunctionPrefix = "/manage";

    /// <summary>Largest admin request body, in bytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        Map(app.MapGroup(StandalonePrefix), behindFunctionKey: false);
        Map(app.MapGroup(FunctionPrefix), behindFunctionKey: true);
        return app;
    }

    private static void Map(RouteGroupBuilder group, bool behindFunctionKey)
    {
        // Handlers take no bound body (they read it themselves), so this filter runs before anything is read.
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var authorization = http.RequestServices.GetRequiredService<AdminAuthorization>();
            var status = authorization.Check(http, behindFunctionKey);
            if (status == StatusCodes.Status200OK)
            {
                return await next(context);
            }

            http.Response.Headers.CacheControl = "no-store";
            if (status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"tracker admin\"";
                return Error(status, "unauthorized: send Authorization: Bearer <Tracker:Admin:Token>");
            }

            return authorization.AllowsClientOf(http)
                ? Error(status, "the admin API is closed: set Tracker:Admin:Token (or call the manage function with its key under the Functions host)")
                : Error(status, "the admin API answers only on the tracker's machine: call it there, or set Tracker:Admin:LoopbackOnly=false");
        });

        // Operator data lives in storage: when it is down, say so (503, retry later) instead of failing with a 500.
        group.AddEndpointFilter(static async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception exception) when (IsStorageFault(exception) && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                context.HttpContext.Response.Headers.RetryAfter = "30";
                return Error(StatusCodes.Status503ServiceUnavailable, "tracker storage is unavailable, retry later");
            }
        });

        group.MapAdminPasskeys();
        group.MapAdminAccessLists();
        group.MapAdminClients();
        group.MapAdminFactors();
        group.MapAdminSwarms();
        group.MapAdminSettings();
        group.MapFallback(static () => Error(StatusCodes.Status404NotFound, "no such admin resource"));
    }

    /// <summary>A storage outage (unreachable, throttled, timed out, circuit open), as opposed to a bug.</summary>
    private static bool IsStorageFault(Exception exception) => exception switch
    {
        Azure.RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException or IOException or OperationCanceledException => true,
        Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStorageFault),
        _ => false,
    };

    public static IResult Error(int status, string message) =>
        Results.Json(new ErrorJson(message), AdminJsonContext.Default.ErrorJson, statusCode: status);

    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        Results.Json(value, type, statusCode: status);

    /// <summary>Reads an optional JSON body: (null, true) when there is none, (null, false) when it is not valid JSON of that shape.</summary>
    public static async Task<(T? Value, bool Valid)> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return (null, true);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, false);
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length == 0)
            {
                return (null, true);
            }

            if (buffer.Length > MaxBodyBytes)
            {
                return (null, false);
            }

            return (JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type), true);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }
}
