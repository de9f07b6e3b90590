using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// What the worker printed and logged, and how long start-up took: a failed test or start quotes it, because the
/// worker's own exceptions (a missing setting, a DI error) only ever show up there.
/// </summary>
public sealed class EmulatorDiagnostics
{
    // Bounded so a chatty worker in a long test run cannot grow memory without limit; the tail is what explains a failure.
    private const int MaxLines = 4000;

    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<WorkerLog> _logs = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Action<string>? _sink;

    internal EmulatorDiagnostics(Action<string>? sink) => _sink = sink;

    /// <summary>Worker stdout/stderr lines, oldest first (the last few thousand).</summary>
    public IReadOnlyList<string> WorkerOutput => [.. _output];

    /// <summary>Every RpcLog the worker sent, oldest first (the last few thousand).</summary>
    public IReadOnlyList<WorkerLog> RpcLogs => [.. _logs];

    /// <summary>From spawning the worker to its <c>StartStream</c> (process start, host build, gRPC connect).</summary>
    public TimeSpan? ProcessStartToStream { get; internal set; }

    /// <summary>From spawning the worker to its <c>WorkerInitResponse</c> (its Kestrel is listening by then).</summary>
    public TimeSpan? ProcessStartToInitialized { get; internal set; }

    /// <summary>From spawning the worker to the last <c>FunctionLoadResponse</c>: when the host would serve requests.</summary>
    public TimeSpan? ProcessStartToLoaded { get; internal set; }

    /// <summary>Exit code, once the worker process has exited.</summary>
    public int? ExitCode { get; internal set; }

    internal TimeSpan Elapsed => _clock.Elapsed;

    internal void AddOutput(string stream, string line)
    {
        Add(_output, $"{DateTimeOffset.Now:HH:mm:ss.fff} {stream}: {line}");
        Forward($"worker {stream}: {line}");
    }

    internal void AddLog(WorkerLog log)
    {
        Add(_logs, log);
        Forward(log.ToString());
    }

    internal void Note(string line)
    {
        Add(_output, $"{DateTimeOffset.Now:HH:mm:ss.fff} emulator: {line}");
        Forward($"emulator: {line}");
    }

    /// <summary>The tail of the output and RpcLogs, for an exception message.</summary>
    public string Describe(int lines = 60)
    {
        var text = new StringBuilder();
        text.Append("worker exit code: ").AppendLine(ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(running)");
        text.AppendLine("--- worker output (tail) ---");
        foreach (var line in WorkerOutput.TakeLast(lines))
        {
            text.AppendLine(line);
        }

        text.AppendLine("--- rpc logs (tail) ---");
        foreach (var log in RpcLogs.TakeLast(lines))
        {
            text.AppendLine(log.ToString());
        }

        return text.ToString();
    }

    private void Forward(string line)
    {
        try
        {
            _sink?.Invoke(line);
        }
        catch (InvalidOperationException)
        {
            // An ITestOutputHelper whose test has finished: a shared emulator outlives the test that lent it.
        }
    }

    private static void Add<T>(ConcurrentQueue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > MaxLines)
        {
            queue.TryDequeue(out _);
        }
    }
}
