using System.Collections.Concurrent;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Soak;

/// <summary>Every request the drill sent and what came back; anything a tracker must never answer is a violation.</summary>
/// <remarks>
/// Allowed: HTTP 200 with a bencoded answer (interval, complete, incomplete), or HTTP 200 with <c>failure reason</c> and
/// <c>retry in</c> (storage unavailable). A connection refused is allowed only from an instance the drill is restarting.
/// </remarks>
public sealed class AnswerLedger
{
    private readonly ConcurrentQueue<string> _violations = new();
    private long _sent;
    private long _ok;
    private long _retryLater;
    private long _unreachable;

    public long Sent => Interlocked.Read(ref _sent);

    public long Ok => Interlocked.Read(ref _ok);

    public long RetryLater => Interlocked.Read(ref _retryLater);

    public long Unreachable => Interlocked.Read(ref _unreachable);

    public IReadOnlyCollection<string> Violations => _violations;

    public void Sending() => Interlocked.Increment(ref _sent);

    public void CountUnreachable(string instance, bool restarting, Exception exception)
    {
        Interlocked.Increment(ref _unreachable);
        if (!restarting)
        {
            Violate($"{instance} unreachable while it should be up: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>Checks one answer; returns true when it was a successful announce answer.</summary>
    public bool Answer(string instance, int status, byte[] body)
    {
        if (status != 200)
        {
            Violate($"{instance} answered HTTP {status}");
            return false;
        }

        if (!BencodeDecoder.TryDecode(body, out var value, out var error) || value!.Kind != BencodeKind.Dictionary)
        {
            Violate($"{instance} answered something that is not a bencoded dictionary ({error})");
            return false;
        }

        if (value["failure reason"] is { } reason)
        {
            if (value["retry in"] is { Kind: BencodeKind.Integer, Integer: > 0 })
            {
                Interlocked.Increment(ref _retryLater);
            }
            else
            {
                Violate($"{instance} refused without retry in: {reason.Text}");
            }

            return false;
        }

        if (value["interval"] is null || value["complete"] is null || value["incomplete"] is null)
        {
            Violate($"{instance} answered an announce without interval, complete or incomplete");
            return false;
        }

        Interlocked.Increment(ref _ok);
        return true;
    }

    public void Violate(string violation)
    {
        if (_violations.Count < 1000)
        {
            _violations.Enqueue(violation);
        }
    }
}
