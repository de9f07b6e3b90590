using System.Buffers;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.FastPath;

namespace ServerlessTracker.Http.Listener;

/// <summary>Connections the accept threads could not finish at once, continued on a .NET socket with async calls: a head
/// still arriving, an answer the client did not take at once, a store that did not answer at once.</summary>
/// <remarks>The connection's descriptor is wrapped as it is (no new syscalls but the Socket's own queries). A head gets
/// <see cref="TrackerListener.HeadTimeout"/>, an answer <see cref="TrackerListener.AnswerTimeout"/> (a shared body, a full
/// scrape, that much per 64 KiB piece); at most <see cref="TrackerListenerOptions.MaxSlowConnections"/> wait on clients at
/// once, and at most <see cref="TrackerListenerOptions.MaxSlowConnectionsPerAddress"/> of one address: more are closed.
/// Shutdown cancels them all.</remarks>
internal static class SlowConnections
{
    /// <summary>A shared body goes out in pieces of this size, each within the answer timeout: a client must keep taking it.</summary>
    private const int SharedChunk = 64 * 1024;

    /// <summary>Reads the rest of a head (<paramref name="received"/> so far), then answers.</summary>
    public static void Receive(TrackerListener listener, int fd, IPAddress remote, ReadOnlySpan<byte> received, HandoffListener? handoff = null)
    {
        if (!listener.TryEnterSlow(remote, out var address))
        {
            _ = LibC.Close(fd);
            return;
        }

        var input = ArrayPool<byte>.Shared.Rent(listener.Core.Limits.MaxHeadLength + 1);
        received.CopyTo(input);
        _ = ReceiveAsync(listener, Wrap(fd), input, received.Length, remote, address, handoff);
    }

    /// <summary>Answers once the store has (<paramref name="body"/> is handed over and goes back to the pool).</summary>
    public static void AnswerLater(TrackerListener listener, int fd, ValueTask<TrackerReply> reply, ResponseBuffer body)
    {
        listener.EnterSlow();
        _ = AnswerLaterAsync(listener, Wrap(fd), reply, body);
    }

    /// <summary>Sends what the client did not take at once.</summary>
    public static void SendRest(TrackerListener listener, int fd, IPAddress remote, ReadOnlySpan<byte> rest)
    {
        if (!listener.TryEnterSlow(remote, out var address))
        {
            _ = LibC.Close(fd);
            return;
        }

        var output = ArrayPool<byte>.Shared.Rent(rest.Length);
        rest.CopyTo(output);
        _ = SendAsync(listener, Wrap(fd), output, rest.Length, address);
    }

    /// <summary>Sends the rest of an answer with a shared body (a full scrape): what is left of the head, then the body from
    /// <paramref name="bodyOffset"/>, straight from the snapshot. <paramref name="body"/> is handed over and goes back to the
    /// pool (freeing its slot) once sent or abandoned.</summary>
    public static void SendSharedRest(TrackerListener listener, int fd, IPAddress remote, ReadOnlySpan<byte> headRest, ResponseBuffer body, int bodyOffset)
    {
        if (!listener.TryEnterSlow(remote, out var address))
        {
            _ = LibC.Close(fd);
            listener.Core.Buffers.Return(body);
            return;
        }

        var head = ArrayPool<byte>.Shared.Rent(Math.Max(headRest.Length, 1));
        headRest.CopyTo(head);
        _ = SendSharedAsync(listener, Wrap(fd), head, headRest.Length, body, bodyOffset, address);
    }

    /// <summary>A .NET socket over an accepted descriptor, which it then owns.</summary>
    public static Socket Wrap(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));

    private static async Task ReceiveAsync(TrackerListener listener, Socket socket, byte[] input, int filled, IPAddress remote, UInt128 address, HandoffListener? handoff)
    {
        var handedOff = false;
        var core = listener.Core;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(listener.Stopping);
        timeout.CancelAfter(listener.HeadTimeout);
        byte[]? output = null;
        ResponseBuffer? body = null;
        try
        {
            RequestHead head = default;
            HeadStatus status;
            while (true)
            {
                status = filled == 0 ? HeadStatus.Incomplete : RequestHeadParser.Parse(input.AsSpan(0, filled), core.Limits, out head);
                if (status != HeadStatus.Incomplete || filled == input.Length)
                {
                    break;
                }

                var read = await socket.ReceiveAsync(input.AsMemory(filled), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            if (handoff is not null && (status == HeadStatus.HandOff || (status == HeadStatus.Ready && head.KeepAlive)))
            {
                // A port shared with Kestrel: it takes the connection, and what was read of it, from here.
                listener.Counters.CountHandedOff();
                handedOff = true;
                handoff.Handoff(socket, input.AsSpan(0, filled));
            }
            else if (status != HeadStatus.Ready)
            {
                listener.Counters.CountRejected();
                output = ArrayPool<byte>.Shared.Rent(ListenerAnswers.MaxRejectionLength);
                var length = ListenerAnswers.WriteRejection(output, input.AsSpan(0, filled), core.Date.Current);
                timeout.CancelAfter(listener.AnswerTimeout);
                await socket.SendAsync(output.AsMemory(0, length), SocketFlags.None, timeout.Token);
            }
            else
            {
                body = core.Buffers.Get();
                var request = new ReceivedHead(input, head.Length);
                // The socket is IPv6 and the peer IPv4 only on a dual-stack socket (the peer came mapped).
                var mapped = socket.AddressFamily == AddressFamily.InterNetworkV6 && remote.AddressFamily == AddressFamily.InterNetwork;
                var pending = listener.Dispatch(input.AsSpan(0, filled), head, remote, mapped, request, body);
                var reply = await pending;
                listener.Counters.CountServed();
                await SendAnswerAsync(listener, socket, reply, body, timeout);
            }
        }
        catch (Exception e)
        {
            Failed(listener, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }

            if (body is not null)
            {
                core.Buffers.Return(body);
            }

            if (!handedOff)
            {
                socket.Dispose();
            }

            listener.LeaveSlow(address);
        }
    }

    private static async Task AnswerLaterAsync(TrackerListener listener, Socket socket, ValueTask<TrackerReply> pending, ResponseBuffer body)
    {
        try
        {
            var reply = await pending;
            listener.Counters.CountServed();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(listener.Stopping);
            await SendAnswerAsync(listener, socket, reply, body, timeout);
        }
        catch (Exception e)
        {
            Failed(listener, e);
        }
        finally
        {
            listener.Core.Buffers.Return(body);
            socket.Dispose();
            listener.LeaveSlow(null);
        }
    }

    /// <summary>Head and written body in one send; a shared body (a full scrape) after the head, from the snapshot itself, a
    /// piece at a time, each within <see cref="TrackerListener.AnswerTimeout"/>.</summary>
    private static async Task SendAnswerAsync(TrackerListener listener, Socket socket, TrackerReply reply, ResponseBuffer body, CancellationTokenSource timeout)
    {
        var core = listener.Core;
        var output = ArrayPool<byte>.Shared.Rent(ResponseHead.MaxLength + (body.IsShared ? 0 : body.WrittenCount));
        try
        {
            var length = body.IsShared
                ? ResponseHead.Write(output, body.Body.Length, ConnectionMode.Close, reply, core.Date.Current)
                : ListenerAnswers.WriteAnswer(output, reply, body.WrittenSpan, core.Date.Current);
            timeout.CancelAfter(listener.AnswerTimeout);
            await socket.SendAsync(output.AsMemory(0, length), SocketFlags.None, timeout.Token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }

        if (body.IsShared)
        {
            await SendBodyAsync(listener, socket, body.Body, timeout);
        }
    }

    private static async Task SendBodyAsync(TrackerListener listener, Socket socket, ReadOnlyMemory<byte> body, CancellationTokenSource timeout)
    {
        for (var offset = 0; offset < body.Length; offset += SharedChunk)
        {
            timeout.CancelAfter(listener.AnswerTimeout);
            await socket.SendAsync(body.Slice(offset, Math.Min(SharedChunk, body.Length - offset)), SocketFlags.None, timeout.Token);
        }
    }

    private static async Task SendSharedAsync(TrackerListener listener, Socket socket, byte[] head, int headLength, ResponseBuffer body, int bodyOffset, UInt128 address)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(listener.Stopping);
            if (headLength > 0)
            {
                timeout.CancelAfter(listener.AnswerTimeout);
                await socket.SendAsync(head.AsMemory(0, headLength), SocketFlags.None, timeout.Token);
            }

            await SendBodyAsync(listener, socket, body.Body[bodyOffset..], timeout);
        }
        catch (Exception e)
        {
            Failed(listener, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
            listener.Core.Buffers.Return(body);
            socket.Dispose();
            listener.LeaveSlow(address);
        }
    }

    private static async Task SendAsync(TrackerListener listener, Socket socket, byte[] output, int length, UInt128 address)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(listener.Stopping);
            timeout.CancelAfter(listener.AnswerTimeout);
            await socket.SendAsync(output.AsMemory(0, length), SocketFlags.None, timeout.Token);
        }
        catch (Exception e)
        {
            Failed(listener, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
            socket.Dispose();
            listener.LeaveSlow(address);
        }
    }

    /// <summary>A client that went away or was too slow is normal; anything else is a bug, logged (the connection is closed either way).</summary>
    private static void Failed(TrackerListener listener, Exception e)
    {
        switch (e)
        {
            case OperationCanceledException when !listener.Stopping.IsCancellationRequested:
                listener.Counters.CountTimedOut();
                break;
            case OperationCanceledException or SocketException or ObjectDisposedException:
                break;
            default:
                TrackerListener.LogConnectionFailed(listener.Logger, e, "slow");
                break;
        }
    }

    private sealed class ReceivedHead(byte[] input, int length) : IRequestBytes
    {
        public ReadOnlySpan<byte> Head => input.AsSpan(0, length);
    }
}
