using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ServerlessTracker.FunctionApp.Tests.Host.Rpc;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The host's end of the worker's one <c>EventStream</c> (host <c>GrpcWorkerChannel</c>): matches replies to
/// requests and RpcLogs to invocations. gRPC allows one write at a time per stream, and many HTTP invocations
/// send concurrently, so every outgoing message goes through one queue drained by one writer.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<WorkerLog>> _invocationLogs = new();
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly EmulatorDiagnostics _diagnostics;
    private int _connected;

    public WorkerChannel(EmulatorDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>Completes with the worker id of <c>StartStream</c>.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>Completes when the worker's stream has ended (it exited, or was terminated).</summary>
    public Task Ended => _ended.Task;

    /// <summary>The gRPC call of the worker, for as long as the stream lasts.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, ServerCallContext context)
    {
        if (Interlocked.Exchange(ref _connected, 1) == 1)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, "The emulator serves one worker, which is already connected."));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stop.Token);
        var writing = WriteAllAsync(responses, linked.Token);
        try
        {
            while (await requests.MoveNext(linked.Token))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The worker exited or was killed, or the emulator is stopping: the stream is over either way.
            _diagnostics.Note($"event stream ended: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _outbound.Writer.TryComplete();
            FailPending();
            _ended.TrySetResult();
            await linked.CancelAsync();
            try
            {
                await writing;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or Grpc.Core.RpcException)
            {
                // Writes after the worker hung up; nothing is waiting for them any more.
            }
        }
    }

    /// <summary>Queues a message; false once the stream has ended.</summary>
    public bool Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    /// <summary>Sends a request and waits for the reply the dispatcher files under <paramref name="replyKey"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, string replyKey, CancellationToken cancellationToken)
    {
        var reply = Expect(replyKey);
        try
        {
            if (!Send(request))
            {
                throw new FunctionsHostEmulatorException($"The worker's stream has ended; cannot send {request.ContentCase}.");
            }

            return await reply.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(replyKey, out _);
        }
    }

    /// <summary>
    /// Sends an invocation and waits for its <c>InvocationResponse</c>. HTTP invocations register first (via
    /// <paramref name="beforeSend"/>) so the forwarder can start before the request is sent, as the host does.
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, TimeSpan timeout, bool canCancel, Action? beforeSend, CancellationToken cancellationToken)
    {
        var id = request.InvocationId;
        var clock = Stopwatch.StartNew();
        var reply = Expect(InvocationKey(id));
        var logs = _invocationLogs[id] = new ConcurrentQueue<WorkerLog>();
        try
        {
            beforeSend?.Invoke();
            if (!Send(new StreamingMessage { RequestId = NewId(), InvocationRequest = request }))
            {
                return new InvocationResult(id, InvocationStatus.Failure, "The worker's stream has ended (emulator).", null, [], clock.Elapsed);
            }

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            StreamingMessage response;
            try
            {
                response = await reply.WaitAsync(timeoutSource.Token);
            }
            catch (FunctionsHostEmulatorException e)
            {
                // The worker went away mid-invocation: a failed invocation, as the host reports it, not a test crash.
                return new InvocationResult(id, InvocationStatus.Failure, e.Message, null, [.. logs], clock.Elapsed);
            }
            catch (OperationCanceledException)
            {
                // The host cancels what it gives up on, if the worker said it handles cancellation.
                if (canCancel)
                {
                    Send(new StreamingMessage { RequestId = NewId(), InvocationCancel = new InvocationCancel { InvocationId = id } });
                }

                var why = cancellationToken.IsCancellationRequested ? "cancelled by the caller" : $"timed out after {timeout.TotalSeconds:F0} s";
                return new InvocationResult(id, InvocationStatus.Failure, $"Invocation {why} (emulator).", null, [.. logs], clock.Elapsed);
            }

            var result = response.InvocationResponse.Result;
            return new InvocationResult(
                id,
                (InvocationStatus)(result?.Status ?? StatusResult.Types.Status.Failure),
                result?.Exception?.Message,
                result?.Exception?.Type,
                [.. logs],
                clock.Elapsed);
        }
        finally
        {
            _pending.TryRemove(InvocationKey(id), out _);
            _invocationLogs.TryRemove(id, out _);
        }
    }

    /// <summary>Asks the worker to cancel an invocation (a client hung up).</summary>
    public void Cancel(string invocationId) =>
        Send(new StreamingMessage { RequestId = NewId(), InvocationCancel = new InvocationCancel { InvocationId = invocationId } });

    /// <summary>Ends the stream from the host's side (after WorkerTerminate, or when the worker will not go).</summary>
    public void Stop()
    {
        _outbound.Writer.TryComplete();
        _stop.Cancel();
    }

    public static string NewId() => Guid.NewGuid().ToString();

    public static string LoadKey(string functionId) => "load:" + functionId;

    public static string StatusKey(string requestId) => "status:" + requestId;

    private static string InvocationKey(string invocationId) => "invocation:" + invocationId;

    private Task<StreamingMessage> Expect(string key)
    {
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, reply))
        {
            throw new InvalidOperationException($"Already waiting for '{key}'.");
        }

        if (_ended.Task.IsCompleted)
        {
            reply.TrySetException(new FunctionsHostEmulatorException("The worker's stream has ended."));
        }

        return reply.Task;
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream.WorkerId);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                Record(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                Complete("init", message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Complete("metadata", message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Complete(LoadKey(message.FunctionLoadResponse.FunctionId), message);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(InvocationKey(message.InvocationResponse.InvocationId), message);
                break;
            case StreamingMessage.ContentOneofCase.WorkerStatusResponse:
                Complete(StatusKey(message.RequestId), message);
                break;
            default:
                _diagnostics.Note($"ignored {message.ContentCase} from the worker");
                break;
        }
    }

    private void Complete(string key, StreamingMessage message)
    {
        if (!_pending.TryGetValue(key, out var reply) || !reply.TrySetResult(message))
        {
            // A reply nobody waits for any more (the invocation timed out): note it, as the host would log it.
            _diagnostics.Note($"unexpected {message.ContentCase} ({key})");
        }
    }

    private void Record(RpcLog rpc)
    {
        var log = new WorkerLog(
            DateTimeOffset.Now,
            rpc.InvocationId is { Length: > 0 } id ? id : null,
            rpc.Category,
            (LogLevel)(int)rpc.Level,
            rpc.Message,
            rpc.Exception is { } e ? $"{e.Type}: {e.Message}" : null);
        _diagnostics.AddLog(log);
        if (log.InvocationId is not null && _invocationLogs.TryGetValue(log.InvocationId, out var logs))
        {
            logs.Enqueue(log);
        }
    }

    private void FailPending()
    {
        foreach (var (_, reply) in _pending)
        {
            reply.TrySetException(new FunctionsHostEmulatorException("The worker's stream ended before it replied."));
        }
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
        {
            await responses.WriteAsync(message, cancellationToken);
        }
    }
}
