using System.Text.Json;
using ServerlessTracker.Http.Limits;

namespace ServerlessTracker.Http.Invocations;

/// <summary>Reads and answers the host's invocation payloads for non-HTTP triggers.</summary>
public static class InvocationEndpoints
{
    /// <summary>Largest invocation payload accepted, in bytes.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Reads the payload; null (after answering 400) when it is not an invocation object.</summary>
    public static async Task<InvocationRequest?> ReadAsync(HttpContext context)
    {
        try
        {
            if (context.Request.ContentLength > MaxPayloadBytes)
            {
                await RespondAsync(context, StatusCodes.Status413PayloadTooLarge, ["invocation payload too large"]);
                return null;
            }

            RequestBodyLimit.Raise(context, MaxPayloadBytes);
            var request = await JsonSerializer.DeserializeAsync(context.Request.Body, InvocationJsonContext.Default.InvocationRequest, context.RequestAborted);
            if (request is not null)
            {
                return request;
            }
        }
        catch (JsonException)
        {
        }
        catch (BadHttpRequestException)
        {
        }

        await RespondAsync(context, StatusCodes.Status400BadRequest, ["invalid invocation payload: expected {\"Data\":{...},\"Metadata\":{...}}"]);
        return null;
    }

    public static Task RespondAsync(HttpContext context, int status, List<string> logs, object? returnValue = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var response = new InvocationResponse { Logs = logs, ReturnValue = returnValue };
        return JsonSerializer.SerializeAsync(context.Response.Body, response, InvocationJsonContext.Default.InvocationResponse, context.RequestAborted);
    }
}
