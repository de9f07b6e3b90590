using System.Buffers;
using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Kestrel's <c>/announce</c> endpoint: charges the client's budget (<see cref="TrackerRateLimiter"/>), then hands the raw query, the path's passkey and the client address to <see cref="AnnounceService"/>.</summary>
public sealed class AnnounceHandler(AnnounceService announces, ClientAddressReader addresses, TrackerRateLimiter budgets, IOptions<HttpTrackerOptions> options, ObjectPool<ResponseBuffer> buffers)
{
    private readonly int _maxQueryLength = options.Value.MaxQueryLength;

    public async Task HandleAsync(HttpContext context)
    {
        var body = buffers.Get();
        try
        {
            var client = addresses.Read(context);
            var family = ClientFamilies.Of(client, context.Connection.RemoteIpAddress);
            if (budgets.TryAcquire(client))
            {
                await AnnounceAsync(context, client, family, body);
            }
            else
            {
                budgets.WriteRefusal(family, body);
            }

            await TrackerResponses.SendAsync(context, body, TrackerReply.Plain);
        }
        finally
        {
            buffers.Return(body);
        }
    }

    private ValueTask AnnounceAsync(HttpContext context, IPAddress client, ClientFamily family, ResponseBuffer body)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            announces.Refuse(HttpTrackerError.MethodNotAllowed, family, body);
            return default;
        }

        // Sized to this query (bounded by the limit): no 8 KiB of zeroing per announce.
        Span<byte> buffer = stackalloc byte[Math.Min(_maxQueryLength, context.Request.QueryString.Value?.Length ?? 0)];
        var error = TrackerResponses.ReadQuery(context, buffer, out var rented, out var query);
        try
        {
            if (error != HttpTrackerError.None)
            {
                announces.Refuse(error, family, body);
                return default;
            }

            Span<byte> passkey = stackalloc byte[RequestPasskey.BufferLength];
            var length = HttpPasskey.FromPath(context, passkey);
            return announces.AnnounceAsync(query, passkey[..length], client, family, body, context.RequestAborted);
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
