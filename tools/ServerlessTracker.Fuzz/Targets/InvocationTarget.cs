using Microsoft.AspNetCore.Http;
using ServerlessTracker.Http.Invocations;

namespace ServerlessTracker.Fuzz.Targets;

/// <summary>The Functions host's invocation payload as the app reads it: an invocation, or a 400 with a reason.</summary>
internal static class InvocationTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(input.ToArray());
        context.Request.ContentLength = input.Length;
        context.Response.Body = new MemoryStream();
        var invocation = InvocationEndpoints.ReadAsync(context).GetAwaiter().GetResult();
        FuzzFinding.Check(invocation is not null || context.Response.StatusCode == StatusCodes.Status400BadRequest, $"refused with {context.Response.StatusCode}");
    }
}
