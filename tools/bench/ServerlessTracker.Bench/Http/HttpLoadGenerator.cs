using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Bench.Scenarios;
using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench.Http;

/// <summary>
/// A closed-loop HTTP/1.1 load generator: a fixed number of connections, each sending its next request only
/// after the previous answer (no pipelining). Requests come from one shared <see cref="RequestStream"/>, so every
/// tracker gets the same request sequence. Two connection modes:
/// keep-alive (requests reuse the connection while the server keeps it open; a server that silently drops a
/// kept-alive connection, as opentracker does after every answer, is detected and the request resent on a new
/// connection, and from then on each answer is followed by a new connection), and close (every request carries
/// "Connection: close" and opens a new TCP connection; the client waits for the server's FIN before closing, so
/// the server is the active closer, as with real clients). Latency runs from connect (when a connection is
/// opened for the request) or send to the last byte of the answer. With a rate, requests are paced on an
/// absolute schedule instead (same offered load for every tracker; a connection still waits for its answer).
/// </summary>
public sealed class HttpLoadGenerator : ILoadDriver
{
    private readonly IPEndPoint endpoint;
    private readonly RequestStream stream;
    private readonly int connections;
    private readonly bool newConnectionPerRequest;
    private readonly List<ConnectionState> states = [];
    private readonly Lock streamLock = new();
    private volatile bool measuring;
    private volatile bool serverClosesKeptAliveConnections;
    private readonly double ticksPerRequest;
    private long measureStart;
    private long measureEnd;
    private long paceStart;
    private long paced;

    /// <param name="requestsPerSecond">Total rate to pace requests at; 0 sends as fast as answers come back (closed loop).</param>
    public HttpLoadGenerator(IPEndPoint endpoint, RequestStream stream, int connections, bool newConnectionPerRequest, double requestsPerSecond = 0)
    {
        this.endpoint = endpoint;
        this.stream = stream;
        this.connections = connections;
        this.newConnectionPerRequest = newConnectionPerRequest;
        ticksPerRequest = requestsPerSecond > 0 ? Stopwatch.Frequency / requestsPerSecond : 0;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        paceStart = Stopwatch.GetTimestamp();
        var loops = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            var state = new ConnectionState(stream.MaxRequestBytes);
            states.Add(state);
            loops[i] = Task.Run(() => ConnectionLoopAsync(state, stop), CancellationToken.None);
        }

        await Task.WhenAll(loops);
    }

    public void BeginMeasure()
    {
        measureStart = Stopwatch.GetTimestamp();
        measuring = true;
    }

    public void EndMeasure()
    {
        measuring = false;
        measureEnd = Stopwatch.GetTimestamp();
    }

    public LoadResult Result()
    {
        var validator = new ResponseValidator();
        var latencies = new List<int>();
        long measured = 0, connects = 0, measuredConnects = 0;
        foreach (var state in states)
        {
            validator.Add(state.Validator);
            latencies.AddRange(state.Latencies);
            measured += state.Latencies.Count;
            connects += state.Connects;
            measuredConnects += state.MeasuredConnects;
        }

        var seconds = Stopwatch.GetElapsedTime(measureStart, measureEnd).TotalSeconds;
        return new LoadResult(
            measured,
            seconds,
            LatencySummary.From(latencies),
            validator,
            stream.Issued,
            stream.Checkpoints,
            connects,
            measuredConnects,
            serverClosesKeptAliveConnections && !newConnectionPerRequest);
    }

    private async Task ConnectionLoopAsync(ConnectionState state, CancellationToken stop)
    {
        var reader = new HttpResponseReader();
        Socket? socket = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int length;
                RequestInfo info;
                long due;
                lock (streamLock)
                {
                    length = stream.Next(state.Request, out info);
                    due = ticksPerRequest > 0 ? paceStart + (long)(paced++ * ticksPerRequest) : 0;
                }

                if (due > 0)
                {
                    // Paced: wait for this request's slot on an absolute schedule (a late request goes at once).
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, stop);
                    }
                }

                if (length == 0)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                var wasMeasuring = measuring;
                HttpResponse response = default;
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    var reused = socket is not null;
                    try
                    {
                        if (socket is null)
                        {
                            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                            await socket.ConnectAsync(endpoint, stop);
                            state.Connects++;
                            state.MeasuredConnects += wasMeasuring ? 1 : 0;
                        }

                        await socket.SendAsync(state.Request.AsMemory(0, length), SocketFlags.None, stop);
                        response = await reader.ReadAsync(socket, stop);
                    }
                    catch (SocketException) when (reused && attempt == 0)
                    {
                        response = new HttpResponse(ReadOutcome.ClosedBeforeResponse, 0, true, false, 0);
                    }

                    if (response.Outcome == ReadOutcome.ClosedBeforeResponse && reused && attempt == 0)
                    {
                        // The server dropped a connection it had not announced closing: resend on a new one.
                        serverClosesKeptAliveConnections = true;
                        Close(ref socket);
                        continue;
                    }

                    break;
                }

                if (response.Outcome != ReadOutcome.Complete)
                {
                    state.Validator.TransportError(response.Outcome == ReadOutcome.Malformed ? "truncated or malformed HTTP answer" : "connection closed before an answer");
                    Close(ref socket);
                    continue;
                }

                var finished = Stopwatch.GetTimestamp();
                if (wasMeasuring && measuring)
                {
                    state.Latencies.Add((int)Math.Min(int.MaxValue, (finished - started) * 10_000_000.0 / Stopwatch.Frequency));
                }

                state.Validator.Judge(info, response, reader.Body(response));
                if (newConnectionPerRequest || response.ConnectionClose || serverClosesKeptAliveConnections)
                {
                    await AwaitServerCloseAsync(socket!, state, stop);
                    Close(ref socket);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (SocketException error)
        {
            state.Validator.TransportError($"socket error {error.SocketErrorCode}: connection loop ended");
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static async Task AwaitServerCloseAsync(Socket socket, ConnectionState state, CancellationToken stop)
    {
        try
        {
            var extra = await socket.ReceiveAsync(state.Drain, SocketFlags.None, stop);
            if (extra != 0)
            {
                state.Validator.TransportError("bytes after an answer on a connection that should close");
            }
        }
        catch (SocketException)
        {
            // A reset instead of a FIN still ends the connection.
        }
    }

    private static void Close(ref Socket? socket)
    {
        socket?.Dispose();
        socket = null;
    }

    private sealed class ConnectionState(int maxRequestBytes)
    {
        public byte[] Request { get; } = new byte[maxRequestBytes];

        public byte[] Drain { get; } = new byte[512];

        public ResponseValidator Validator { get; } = new();

        /// <summary>Latencies of answers completed inside the measured window, in units of 100 ns.</summary>
        public List<int> Latencies { get; } = new(1 << 16);

        public long Connects { get; set; }

        public long MeasuredConnects { get; set; }
    }
}
