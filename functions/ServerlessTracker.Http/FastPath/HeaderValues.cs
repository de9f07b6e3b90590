using System.Text;
using Microsoft.Extensions.Primitives;

namespace ServerlessTracker.Http.FastPath;

/// <summary>Finds a header's values in a head <see cref="RequestHeadParser"/> accepted: read only when needed
/// (forwarded headers from a trusted proxy, <c>Accept-Encoding</c> for a full scrape), so announces never pay for it.</summary>
public static class HeaderValues
{
    /// <summary>Every value of <paramref name="name"/> (case-insensitive), trimmed, in order; empty when absent.</summary>
    public static StringValues Find(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var rest = head[(head.IndexOf((byte)'\n') + 1)..];
        string? first = null;
        List<string>? more = null;
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end <= 1)
            {
                break;
            }

            var line = rest[..(end - 1)];
            rest = rest[(end + 1)..];
            var colon = line.IndexOf((byte)':');
            if (colon != name.Length || !Ascii.EqualsIgnoreCase(line[..colon], name))
            {
                continue;
            }

            var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim(" \t"u8));
            if (first is null)
            {
                first = value;
            }
            else
            {
                (more ??= [first]).Add(value);
            }
        }

        return more is not null ? new StringValues([.. more]) : new StringValues(first);
    }
}
