using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Primitives;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Network;

namespace ServerlessTracker.Http.FastPath;

/// <summary>One connection on the fast path: reads request heads from the transport, answers tracker requests into its
/// output, loops for keep-alive and pipelining, and hands the connection to Kestrel at the first request it does not serve.</summary>
/// <remarks>
/// A request it does not serve goes to Kestrel only once Kestrel can answer it at once (<see cref="HandOffRule"/>: a whole
/// head, a line that is no request line, a TLS record); until then it waits here under the head timeout, and blank lines
/// before a request line are skipped here under that timeout too, so a client that sends a blank line, garbage or half a
/// head and waits is closed at the head timeout (a timer, not the heartbeat), never held for Kestrel's keep-alive timeout.
/// With the fast path off (self-hosted) connections still start here in that guard mode, serving nothing themselves.
/// Bytes handed to Kestrel are never consumed: the read position goes back to the start of that request, and the
/// examined position only as far as an earlier read already examined, so Kestrel's first read returns them at once.
/// Timeouts follow Kestrel's: KeepAliveTimeout for a request's first byte, RequestHeadersTimeout for the rest of its
/// head (a trickling client cannot extend it), MinResponseDataRate for answers the client does not take. Kestrel's
/// heartbeat (once a second) checks them; an expired read is cancelled, an expired write aborts the connection.
/// </remarks>
internal sealed class FastPathConnection
{
    private const int Busy = 0;
    private const int Reading = 1;
    private const int Flushing = 2;
    private const int Expired = 3;
    private const int Closing = 4;
    private const int Detached = 5;

    /// <summary>Answers buffered beyond this are flushed before more pipelined requests are served.</summary>
    private const int FlushThreshold = 64 * 1024;

    /// <summary>A body up to this size goes out with its head in one span of the output pipe (one 4 KiB block).</summary>
    private const int SingleWriteBody = 4096 - ResponseHead.MaxLength;

    private static readonly Action<object> Heartbeat = static state => ((FastPathConnection)state).OnHeartbeat();
    private static readonly TimerCallback HeadTimer = static state => ((FastPathConnection)state!).OnHeadTimer();
    private static readonly Action<object?> CloseRequested = static state => ((FastPathConnection)state!).OnCloseRequested();
    private static readonly Func<object, StringValues> ReadAcceptEncoding = static state => ((FastPathConnection)state).AcceptEncoding();

    private readonly FastPathServer _server;
    private readonly ConnectionContext _connection;
    private readonly IPAddress _remote;
    private readonly bool _remoteMapped;
    private readonly bool _readsForwardedHeaders;
    private readonly bool _serves;
    private readonly IConnectionHeartbeatFeature _heartbeat;
    private readonly CancellationToken _closeRequested;
    private CancellationTokenRegistration _closeRegistration;
    private bool _watched;
    private ResponseBuffer? _body;
    private byte[]? _scratch;
    private ReadOnlyMemory<byte> _head;
    private int _phase;
    private long _readDeadline;
    private long _writeDeadline;
    private bool _waitingForRequest;
    private bool _headStarted;
    private ITimer? _headTimer;
    private int _unflushed;

    /// <param name="serves">False in guard mode (the fast path off): every request goes to Kestrel, once it can be answered at once.</param>
    public FastPathConnection(FastPathServer server, ConnectionContext connection, IPAddress remote, IConnectionHeartbeatFeature heartbeat, bool serves = true)
    {
        _serves = serves;
        _server = server;
        _connection = connection;
        _heartbeat = heartbeat;
        _remote = ClientAddressReader.Connection(remote);
        _remoteMapped = remote.IsIPv4MappedToIPv6;
        _readsForwardedHeaders = server.Addresses.BelievesHeadersFrom(_remote);
        _closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
    }

    public async Task ServeAsync(ConnectionDelegate next)
    {
        _body = _server.Buffers.Get();
        bool handOff;
        try
        {
            handOff = await RunAsync(_connection.Transport.Input, _connection.Transport.Output);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client reset or the connection was aborted (a timeout, shutdown): nothing left to answer.
            handOff = false;
        }
        finally
        {
            Volatile.Write(ref _phase, Detached);
            _headTimer?.Dispose();
            if (_watched)
            {
                _closeRegistration.Dispose();
            }

            _server.Buffers.Return(_body);
            _body = null;
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = null;
            }
        }

        if (handOff)
        {
            _server.Counters.CountHandedOff();
            await next(_connection);
        }
    }

    /// <returns>True when the connection goes on in Kestrel's HTTP pipeline.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RunAsync(PipeReader input, PipeWriter output)
    {
        // Bytes at the start of the next read's buffer that an earlier AdvanceTo already marked examined.
        long examined = 0;
        WaitForRequest();
        while (true)
        {
            Volatile.Write(ref _phase, Reading);
            if (_waitingForRequest && _closeRequested.IsCancellationRequested)
            {
                // Shutting down between requests (OnCloseRequested may also have seen Reading: both mean close).
                return false;
            }

            var reading = input.ReadAsync();
            if (!reading.IsCompleted)
            {
                Watch();
                if (_headStarted)
                {
                    ArmHeadTimer();
                }
            }

            var read = await reading;
            if (Interlocked.CompareExchange(ref _phase, Busy, Reading) != Reading)
            {
                // The heartbeat expired the wait or the server is shutting down: close (never hand off a cancelled reader).
                input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return false;
            }

            var buffer = read.Buffer;
            long consumed = 0;
            while (true)
            {
                RequestHead head = default;
                var blank = LeadingLineEnds(buffer.Slice(consumed));
                if (blank > 0)
                {
                    // Blank lines before a request line are skipped (RFC 9112 section 2.2), but they start the head's clock.
                    consumed += blank;
                    StartHead();
                }

                var status = consumed == buffer.Length ? HeadStatus.Incomplete : _serves ? ParseHead(buffer.Slice(consumed), out head) : HeadStatus.HandOff;
                if (status == HeadStatus.HandOff && !HandOffRule.KestrelAnswersAtOnce(Contiguous(buffer.Slice(consumed)), _server.Limits))
                {
                    // Kestrel would wait for the rest under its own, slacker clocks: it waits here instead.
                    status = HeadStatus.Incomplete;
                }

                if (status == HeadStatus.Incomplete)
                {
                    break;
                }

                if (status == HeadStatus.HandOff)
                {
                    if (!await FlushAsync(output))
                    {
                        input.AdvanceTo(buffer.End);
                        return false;
                    }

                    input.AdvanceTo(buffer.GetPosition(consumed), buffer.GetPosition(Math.Max(consumed, examined)));
                    return true;
                }

                var reply = Dispatch(head);
                var answer = reply.IsCompletedSuccessfully ? reply.Result : await reply;
                var keepAlive = head.KeepAlive && !_closeRequested.IsCancellationRequested;
                var mode = keepAlive ? (head.Http10 ? ConnectionMode.KeepAlive10 : ConnectionMode.KeepAlive) : ConnectionMode.Close;
                if (_body!.IsShared)
                {
                    if (!await StreamAsync(output, answer, mode))
                    {
                        input.AdvanceTo(buffer.End);
                        return false;
                    }
                }
                else
                {
                    Write(output, answer, mode);
                }

                _server.Counters.CountServed();
                consumed += head.Length;
                _waitingForRequest = false;
                _headStarted = false;
                if (!keepAlive)
                {
                    input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                    await FlushAsync(output);
                    return false;
                }

                if (_unflushed >= FlushThreshold && !await FlushAsync(output))
                {
                    input.AdvanceTo(buffer.End);
                    return false;
                }
            }

            if (!await FlushAsync(output) || read.IsCompleted)
            {
                // The client is gone, or finished sending in the middle of a request that can no longer complete.
                input.AdvanceTo(buffer.End);
                return false;
            }

            if (consumed == buffer.Length && !_headStarted)
            {
                WaitForRequest();
            }
            else
            {
                // The first bytes of a request (or blank lines before it): its whole head is due within RequestHeadersTimeout.
                StartHead();
            }

            input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            examined = buffer.Length - consumed;
        }
    }

    private static long LeadingLineEnds(in ReadOnlySequence<byte> remaining)
    {
        long count = 0;
        foreach (var segment in remaining)
        {
            var ends = HandOffRule.LeadingLineEnds(segment.Span);
            count += ends;
            if (ends < segment.Length)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>The start of <paramref name="remaining"/> as one span: its first segment, or a copy of at most the longest head.</summary>
    private ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> remaining)
    {
        if (remaining.IsSingleSegment)
        {
            return remaining.FirstSpan;
        }

        var length = (int)Math.Min(remaining.Length, _server.Limits.MaxHeadLength);
        _scratch ??= ArrayPool<byte>.Shared.Rent(_server.Limits.MaxHeadLength);
        remaining.Slice(0, length).CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }

    private HeadStatus ParseHead(in ReadOnlySequence<byte> remaining, out RequestHead head)
    {
        var first = remaining.First;
        var status = RequestHeadParser.Parse(first.Span, _server.Limits, out head);
        if (status != HeadStatus.Incomplete || remaining.IsSingleSegment)
        {
            _head = first;
            return status;
        }

        // The head spans buffer segments (pipelined requests, a long query): parse a copy of at most the longest head.
        var length = (int)Math.Min(remaining.Length, _server.Limits.MaxHeadLength);
        _scratch ??= ArrayPool<byte>.Shared.Rent(_server.Limits.MaxHeadLength);
        remaining.Slice(0, length).CopyTo(_scratch);
        _head = _scratch.AsMemory(0, length);
        return RequestHeadParser.Parse(_head.Span, _server.Limits, out head);
    }

    private ValueTask<TrackerReply> Dispatch(in RequestHead head)
    {
        var bytes = _head.Span;
        var query = bytes.Slice(head.QueryStart, head.QueryLength);
        var passkey = bytes.Slice(head.PasskeyStart, head.PasskeyLength);
        var client = _readsForwardedHeaders ? _server.ForwardedClient(_remote, bytes[..head.Length]) : _remote;
        var family = ClientFamilies.Of(client, _remoteMapped, ReferenceEquals(client, _remote));
        if (!(head.Endpoint == TrackerEndpoint.Scrape ? _server.RateLimit.TryAcquireScrape(client, query) : _server.RateLimit.TryAcquire(client)))
        {
            // Over the address's budget, as the rate limiter middleware in front of Kestrel's endpoints would refuse it.
            _server.RateLimit.WriteRefusal(family, _body!);
            return new(TrackerReply.Plain);
        }

        if (head.Endpoint == TrackerEndpoint.Scrape)
        {
            return _server.Scrapes.ScrapeAsync(query, passkey, client, family, new AcceptEncodingSource(ReadAcceptEncoding, this), _body!, _connection.ConnectionClosed);
        }

        var announced = _server.Announces.AnnounceAsync(query, passkey, client, family, _body!, _connection.ConnectionClosed);
        if (!announced.IsCompletedSuccessfully)
        {
            return PlainAfter(announced);
        }

        announced.GetAwaiter().GetResult();
        return new(TrackerReply.Plain);
    }

    private static async ValueTask<TrackerReply> PlainAfter(ValueTask announced)
    {
        await announced;
        return TrackerReply.Plain;
    }

    /// <summary>Read by a full scrape while the request's head is current (the core reads it before it awaits anything).</summary>
    private StringValues AcceptEncoding() => HeaderValues.Find(_head.Span, "Accept-Encoding"u8);

    private void Write(PipeWriter output, TrackerReply reply, ConnectionMode connection)
    {
        var body = _body!.WrittenSpan;
        var date = _server.Date.Current;
        if (body.Length <= SingleWriteBody)
        {
            var span = output.GetSpan(ResponseHead.MaxLength + body.Length);
            var length = ResponseHead.Write(span, body.Length, connection, reply, date);
            body.CopyTo(span[length..]);
            output.Advance(length + body.Length);
            _unflushed += length + body.Length;
        }
        else
        {
            var length = ResponseHead.Write(output.GetSpan(ResponseHead.MaxLength), body.Length, connection, reply, date);
            output.Advance(length);
            output.Write(body);
            _unflushed += length + body.Length;
        }

        _body.Reset();
    }

    /// <summary>A shared body (a full scrape) goes from the snapshot straight into the output pipe, a chunk at a time, each
    /// flushed (under MinResponseDataRate) before the next: no copy of the whole answer, and a slow reader holds at most a
    /// chunk beyond what the transport buffers. The body's slot is freed when the last chunk is flushed or the client is gone.</summary>
    /// <returns>False when the client no longer reads.</returns>
    private async ValueTask<bool> StreamAsync(PipeWriter output, TrackerReply reply, ConnectionMode connection)
    {
        var body = _body!;
        try
        {
            var bytes = body.Body;
            var length = ResponseHead.Write(output.GetSpan(ResponseHead.MaxLength), bytes.Length, connection, reply, _server.Date.Current);
            output.Advance(length);
            _unflushed += length;
            for (var offset = 0; offset < bytes.Length; offset += Endpoints.TrackerResponses.StreamChunk)
            {
                var chunk = bytes.Slice(offset, Math.Min(Endpoints.TrackerResponses.StreamChunk, bytes.Length - offset));
                output.Write(chunk.Span);
                _unflushed += chunk.Length;
                if (!await FlushAsync(output))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            body.Reset();
        }
    }

    /// <returns>False when the client no longer reads.</returns>
    private async ValueTask<bool> FlushAsync(PipeWriter output)
    {
        if (_unflushed == 0)
        {
            return true;
        }

        var bytes = _unflushed;
        _unflushed = 0;
        var flush = output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return !flush.Result.IsCompleted;
        }

        if (_server.MinResponseDataRate is not { } rate)
        {
            return !(await flush).IsCompleted;
        }

        Volatile.Write(ref _writeDeadline, Environment.TickCount64 + rate.GraceMilliseconds + (long)(bytes * 1000 / rate.BytesPerSecond));
        Volatile.Write(ref _phase, Flushing);
        Watch();
        var result = await flush;
        return Interlocked.CompareExchange(ref _phase, Busy, Flushing) == Flushing && !result.IsCompleted;
    }

    /// <summary>Timeouts and shutdown only matter while the connection waits: it joins Kestrel's heartbeat and listens for
    /// shutdown at its first read or write that does not complete at once (a request already received is simply answered).</summary>
    private void Watch()
    {
        if (_watched)
        {
            return;
        }

        _watched = true;
        _heartbeat.OnHeartbeat(Heartbeat, this);

        // Kestrel stops its heartbeat when shutdown begins, then asks connections to close: idle ones go at once
        // (on an already cancelled token the callback runs here, before the read is awaited).
        _closeRegistration = _closeRequested.UnsafeRegister(CloseRequested, this);
    }

    private void WaitForRequest()
    {
        _waitingForRequest = true;
        _headStarted = false;
        Volatile.Write(ref _readDeadline, Environment.TickCount64 + _server.KeepAliveTimeout);
    }

    /// <summary>A head began (its first byte, or a blank line before it): the whole head is due within RequestHeadersTimeout
    /// from now, however it trickles in.</summary>
    private void StartHead()
    {
        if (_headStarted)
        {
            return;
        }

        _headStarted = true;
        _waitingForRequest = false;
        Volatile.Write(ref _readDeadline, Environment.TickCount64 + _server.RequestHeadersTimeout);
    }

    /// <summary>A head that waits for its client is cut off at its deadline to the millisecond, not at the next heartbeat
    /// after it (a timer only for connections whose head did not arrive whole).</summary>
    private void ArmHeadTimer()
    {
        var due = Math.Max(0, Volatile.Read(ref _readDeadline) - Environment.TickCount64);
        _headTimer ??= TimeProvider.System.CreateTimer(HeadTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _headTimer.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    private void OnHeadTimer()
    {
        if (Volatile.Read(ref _phase) == Reading && Environment.TickCount64 < Volatile.Read(ref _readDeadline))
        {
            // Woken a hair early, or the deadline moved on (a head was served, the next one began): wait for it.
            ArmHeadTimer();
            return;
        }

        OnHeartbeat();
    }

    /// <summary>When the server shuts down: a connection waiting for its next request closes now.</summary>
    private void OnCloseRequested()
    {
        if (Volatile.Read(ref _waitingForRequest) && Interlocked.CompareExchange(ref _phase, Closing, Reading) == Reading)
        {
            _connection.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>On Kestrel's heartbeat thread, once a second.</summary>
    private void OnHeartbeat()
    {
        var phase = Volatile.Read(ref _phase);
        var now = Environment.TickCount64;
        if (phase == Reading)
        {
            if (now >= Volatile.Read(ref _readDeadline) && Interlocked.CompareExchange(ref _phase, Expired, Reading) == Reading)
            {
                _server.Counters.CountTimedOut();
                _connection.Transport.Input.CancelPendingRead();
            }
        }
        else if (phase == Flushing && now >= Volatile.Read(ref _writeDeadline) && Interlocked.CompareExchange(ref _phase, Expired, Flushing) == Flushing)
        {
            _server.Counters.CountTimedOut();
            _connection.Abort(new ConnectionAbortedException("The client did not take the tracker's answer in time."));
        }
    }
}
