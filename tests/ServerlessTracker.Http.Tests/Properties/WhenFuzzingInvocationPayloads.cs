using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Http;
using ServerlessTracker.Http.Invocations;

namespace ServerlessTracker.Http.Tests.Properties;

/// <summary>The host's invocation payloads: any body is read as an invocation or answered 400, never an exception.</summary>
public class WhenFuzzingInvocationPayloads
{
    [Property(MaxTest = 3000)]
    public Property AnyBodyIsAnInvocationOrA400() =>
        Prop.ForAll(JsonNoise.Documents().ToArbitrary(), body =>
        {
            var context = new DefaultHttpContext();
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Response.Body = new MemoryStream();
            var invocation = InvocationEndpoints.ReadAsync(context).GetAwaiter().GetResult();
            return invocation is not null
                ? context.Response.StatusCode == StatusCodes.Status200OK
                : context.Response.StatusCode == StatusCodes.Status400BadRequest && context.Response.Body.Length > 0;
        });

    [Fact]
    public async Task AnOversizedPayloadIsRefusedBeforeItIsRead()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{}"));
        context.Request.ContentLength = InvocationEndpoints.MaxPayloadBytes + 1;
        context.Response.Body = new MemoryStream();
        Assert.Null(await InvocationEndpoints.ReadAsync(context));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
    }
}
