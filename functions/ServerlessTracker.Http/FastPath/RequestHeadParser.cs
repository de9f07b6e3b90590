using System.Buffers;
using System.Text;

namespace ServerlessTracker.Http.FastPath;

/// <summary>Recognises the HTTP/1.x requests the fast path serves, over raw bytes; everything else is handed to Kestrel.</summary>
/// <remarks>
/// Served, and only exactly this (any deviation is <see cref="HeadStatus.HandOff"/>, so Kestrel answers it as it always did):
/// <code>
/// GET SP target SP HTTP/1.1|HTTP/1.0 CRLF          request line, at most MaxRequestLineSize bytes with its CRLF
/// *( name ":" OWS value OWS CRLF )                  at most MaxRequestHeaderCount lines, MaxRequestHeadersTotalSize bytes with the blank line
/// CRLF                                              no body
///
/// target  = path [ "?" query ]                      bytes 0x21-0x7E only (no percent-decoding needed in the path)
/// path    = "/announce" | "/scrape" | "/announce/" passkey | "/scrape/" passkey      exact, lower case
/// passkey = 1*( ALPHA | DIGIT | "-" | "_" )
/// name    = token;  value = *( VCHAR | SP | HTAB )  (no obs-fold, no bytes above 0x7E, no bare CR or LF)
/// </code>
/// Headers that matter: <c>Host</c> (exactly one for HTTP/1.1, at most one for 1.0, a plain host[:port] or [v6][:port]),
/// <c>Connection</c> (<c>close</c>, <c>keep-alive</c>; <c>upgrade</c> hands off), <c>Content-Length</c> (only a single <c>0</c>).
/// <c>Transfer-Encoding</c>, <c>Expect</c> and <c>Upgrade</c> hand off. Others (client-ip, X-Forwarded-For, Accept-Encoding)
/// are read on demand by <see cref="HeaderValues"/>. A partial head is handed off as soon as it can no longer become one
/// that is served (a TLS hello, an HTTP/2 preface, another method or path: at the first bytes).
/// </remarks>
public static class RequestHeadParser
{
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly SearchValues<byte> PasskeyChars =
        SearchValues.Create("-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly SearchValues<byte> HostNameChars =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly SearchValues<byte> HostLiteralChars = SearchValues.Create(".:0123456789ABCDEFabcdef"u8);

    private static readonly SearchValues<byte> FieldChars = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static ReadOnlySpan<byte> AnnouncePrefix => "GET /announce"u8;

    private static ReadOnlySpan<byte> ScrapePrefix => "GET /scrape"u8;

    public static HeadStatus Parse(ReadOnlySpan<byte> data, in HeadLimits limits, out RequestHead head)
    {
        head = default;
        var lineEnd = data[..Math.Min(data.Length, limits.MaxRequestLine)].IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return data.Length < limits.MaxRequestLine && IsPlausibleStart(data) ? HeadStatus.Incomplete : HeadStatus.HandOff;
        }

        if (lineEnd == 0 || data[lineEnd - 1] != '\r' || !ParseRequestLine(data[..(lineEnd - 1)], ref head))
        {
            return HeadStatus.HandOff;
        }

        return ParseHeaders(data, lineEnd + 1, limits, ref head);
    }

    /// <summary>Whether the bytes so far can still begin a served request line.</summary>
    private static bool IsPlausibleStart(ReadOnlySpan<byte> data) =>
        StartsLike(data, AnnouncePrefix) || StartsLike(data, ScrapePrefix);

    private static bool StartsLike(ReadOnlySpan<byte> data, ReadOnlySpan<byte> prefix)
    {
        if (data.Length <= prefix.Length)
        {
            return prefix.StartsWith(data);
        }

        return data.StartsWith(prefix) && data[prefix.Length] is (byte)'?' or (byte)'/' or (byte)' ';
    }

    private static bool ParseRequestLine(ReadOnlySpan<byte> line, ref RequestHead head)
    {
        const int TargetStart = 4; // after "GET "
        if (!line.StartsWith("GET /"u8))
        {
            return false;
        }

        var targetLength = line[TargetStart..].IndexOf((byte)' ');
        if (targetLength < 0)
        {
            return false;
        }

        var version = line[(TargetStart + targetLength + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            head.Http10 = false;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            head.Http10 = true;
        }
        else
        {
            return false;
        }

        var target = line.Slice(TargetStart, targetLength);
        if (target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0)
        {
            return false;
        }

        var question = target.IndexOf((byte)'?');
        var path = question < 0 ? target : target[..question];
        head.QueryStart = TargetStart + (question < 0 ? target.Length : question);
        head.QueryLength = question < 0 ? 0 : target.Length - question;
        return MatchPath(path, ref head);
    }

    private static bool MatchPath(ReadOnlySpan<byte> path, ref RequestHead head)
    {
        const int PathStart = 4;
        ReadOnlySpan<byte> endpoint;
        if (path.StartsWith("/announce"u8))
        {
            head.Endpoint = TrackerEndpoint.Announce;
            endpoint = "/announce"u8;
        }
        else if (path.StartsWith("/scrape"u8))
        {
            head.Endpoint = TrackerEndpoint.Scrape;
            endpoint = "/scrape"u8;
        }
        else
        {
            return false;
        }

        var rest = path[endpoint.Length..];
        if (rest.IsEmpty)
        {
            return true;
        }

        var passkey = rest[1..];
        if (rest[0] != '/' || passkey.IsEmpty || passkey.IndexOfAnyExcept(PasskeyChars) >= 0)
        {
            return false;
        }

        head.PasskeyStart = PathStart + endpoint.Length + 1;
        head.PasskeyLength = passkey.Length;
        return true;
    }

    private static HeadStatus ParseHeaders(ReadOnlySpan<byte> data, int headersStart, in HeadLimits limits, ref RequestHead head)
    {
        var position = headersStart;
        var count = 0;
        var hosts = 0;
        var close = false;
        var keepAlive = false;
        var hasContentLength = false;
        while (true)
        {
            var rest = data[position..];
            var lineLength = rest.IndexOf((byte)'\n');
            if (lineLength < 0)
            {
                return data.Length - headersStart >= limits.MaxHeadersTotal ? HeadStatus.HandOff : HeadStatus.Incomplete;
            }

            if (position + lineLength + 1 - headersStart > limits.MaxHeadersTotal || lineLength == 0 || rest[lineLength - 1] != '\r')
            {
                return HeadStatus.HandOff;
            }

            var line = rest[..(lineLength - 1)];
            position += lineLength + 1;
            if (line.IsEmpty)
            {
                if (hosts > 1 || (!head.Http10 && hosts == 0))
                {
                    return HeadStatus.HandOff;
                }

                head.Length = position;
                head.KeepAlive = (!head.Http10 || keepAlive) && !close;
                return HeadStatus.Ready;
            }

            var colon = line.IndexOf((byte)':');
            if (++count > limits.MaxHeaderCount || colon <= 0)
            {
                return HeadStatus.HandOff;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..];
            if (name.IndexOfAnyExcept(TokenChars) >= 0 || value.IndexOfAnyExcept(FieldChars) >= 0)
            {
                return HeadStatus.HandOff;
            }

            value = value.Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                if (++hosts > 1 || !IsValidHost(value))
                {
                    return HeadStatus.HandOff;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (!ReadConnection(value, ref close, ref keepAlive))
                {
                    return HeadStatus.HandOff;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (hasContentLength || !value.SequenceEqual("0"u8))
                {
                    return HeadStatus.HandOff;
                }

                hasContentLength = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) || Ascii.EqualsIgnoreCase(name, "Expect"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                return HeadStatus.HandOff;
            }
        }
    }

    /// <summary>Reads <c>Connection</c> tokens; false for <c>upgrade</c>, which only Kestrel handles.</summary>
    private static bool ReadConnection(ReadOnlySpan<byte> value, ref bool close, ref bool keepAlive)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var token = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (Ascii.EqualsIgnoreCase(token, "close"u8))
            {
                close = true;
            }
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
            {
                keepAlive = true;
            }
            else if (Ascii.EqualsIgnoreCase(token, "upgrade"u8))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A strict subset of the Host values Kestrel accepts: <c>name[:port]</c> or <c>[v6][:port]</c>.</summary>
    private static bool IsValidHost(ReadOnlySpan<byte> host)
    {
        ReadOnlySpan<byte> port;
        if (host.StartsWith("["u8))
        {
            var close = host.IndexOf((byte)']');
            if (close < 4 || host[1..close].IndexOfAnyExcept(HostLiteralChars) >= 0)
            {
                return false;
            }

            port = host[(close + 1)..];
        }
        else
        {
            var colon = host.IndexOf((byte)':');
            var name = colon < 0 ? host : host[..colon];
            if (name.IsEmpty || name.IndexOfAnyExcept(HostNameChars) >= 0)
            {
                return false;
            }

            port = host[name.Length..];
        }

        return port.IsEmpty || (port[0] == ':' && port.Length is > 1 and <= 6 && port[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0);
    }
}
