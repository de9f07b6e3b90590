using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Kestrel's <c>/scrape</c> endpoint: charges the client's budget (<see cref="TrackerRateLimiter"/>, a token per info-hash), then hands the raw query, the path's passkey and the client address to <see cref="ScrapeService"/>.</summary>
public sealed class ScrapeHandler(ScrapeService scrapes, ClientAddressReader addresses, TrackerRateLimiter budgets, IOptions<HttpTrackerOptions> options, ObjectPool<ResponseBuffer> buffers)
{
    private static readonly Func<object, StringValues> ReadAcceptEncoding = static context => ((HttpContext)context).Request.Headers.AcceptEncoding;

    private readonly int _maxQueryLength = options.Value.MaxQueryLength;

    public async Task HandleAsync(HttpContext context)
    {
        var body = buffers.Get();
        try
        {
            var client = addresses.Read(context);
            var reply = await ScrapeAsync(context, client, ClientFamilies.Of(client, context.Connection.RemoteIpAddress), body);
            await TrackerResponses.SendAsync(context, body, reply);
        }
        finally
        {
            buffers.Return(body);
        }
    }

    private ValueTask<TrackerReply> ScrapeAsync(HttpContext context, IPAddress client, ClientFamily family, ResponseBuffer body)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            if (!budgets.TryAcquire(client))
            {
                budgets.WriteRefusal(family, body);
                return new(TrackerReply.Plain);
            }

            scrapes.Refuse(HttpTrackerError.MethodNotAllowed, family, body);
            return new(TrackerReply.Plain);
        }

        Span<byte> buffer = stackalloc byte[Math.Min(_maxQueryLength, context.Request.QueryString.Value?.Length ?? 0)];
        var error = TrackerResponses.ReadQuery(context, buffer, out var rented, out var query);
        try
        {
            // A token per info-hash named, taken before anything else is done for the request.
            if (!budgets.TryAcquireScrape(client, query))
            {
                budgets.WriteRefusal(family, body);
                return new(TrackerReply.Plain);
            }

            if (error != HttpTrackerError.None)
            {
                scrapes.Refuse(error, family, body);
                return new(TrackerReply.Plain);
            }

            Span<byte> passkey = stackalloc byte[RequestPasskey.BufferLength];
            var length = HttpPasskey.FromPath(context, passkey);
            return scrapes.ScrapeAsync(query, passkey[..length], client, family, new AcceptEncodingSource(ReadAcceptEncoding, context), body, context.RequestAborted);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
