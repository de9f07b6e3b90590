using System.Text;

namespace ServerlessTracker.Http.FastPath;

/// <summary>The <c>Date: ... CRLF</c> header line, formatted once per second (as Kestrel caches its own).</summary>
public sealed class HttpDateLine(TimeProvider time)
{
    private Entry _current = new(long.MinValue, []);

    public ReadOnlySpan<byte> Current
    {
        get
        {
            var now = time.GetUtcNow();
            var second = now.ToUnixTimeSeconds();
            var entry = _current;
            if (entry.Second != second)
            {
                entry = new Entry(second, Encoding.ASCII.GetBytes($"Date: {now:r}\r\n"));
                _current = entry;
            }

            return entry.Line;
        }
    }

    private sealed record Entry(long Second, byte[] Line);
}
