using System.Buffers.Text;
using System.Net;

namespace ServerlessTracker.Protocol.Http;

/// <summary>Parses the raw query bytes of an HTTP announce; unknown parameters are ignored.</summary>
/// <remarks>
/// Required: <c>info_hash</c> and <c>peer_id</c> (20 bytes each after percent-decoding), <c>port</c>
/// (1-65535) and <c>left</c>. Optional: <c>uploaded</c>, <c>downloaded</c> (default 0), <c>event</c>,
/// <c>numwant</c>, <c>compact</c>, <c>no_peer_id</c>, <c>key</c>, <c>ip</c>/<c>ipv4</c>/<c>ipv6</c>.
/// A repeated parameter takes its last value, except <c>info_hash</c>, which must appear once.
/// Counters (<c>uploaded</c>, <c>downloaded</c>, <c>left</c>) are 1 to 19 decimal digits below 2^63; anything else,
/// a sign or a value of 2^63 or more included, is <see cref="HttpTrackerError.InvalidNumber"/>, never wrapped.
/// </remarks>
public static class AnnounceRequestParser
{
    public static HttpTrackerError Parse(ReadOnlySpan<byte> query, out AnnounceRequest request)
    {
        request = default;
        request.Compact = true;
        request.NumWant = AnnounceRequest.DefaultNumWant;
        bool hasInfoHash = false, hasPeerId = false, hasPort = false, hasLeft = false;

        var parameters = new QueryParameters(query);
        while (parameters.MoveNext())
        {
            var name = parameters.Name;
            var value = parameters.Value;
            var error = HttpTrackerError.None;
            switch (name.Length)
            {
                case 9 when name.SequenceEqual("info_hash"u8):
                    if (hasInfoHash)
                    {
                        return HttpTrackerError.DuplicateInfoHash;
                    }

                    error = DecodeBytes20(value, ref request.InfoHash, HttpTrackerError.InvalidInfoHash);
                    hasInfoHash = true;
                    break;
                case 7 when name.SequenceEqual("peer_id"u8):
                    error = DecodeBytes20(value, ref request.PeerId, HttpTrackerError.InvalidPeerId);
                    hasPeerId = true;
                    break;
                case 4 when name.SequenceEqual("port"u8):
                    error = ParsePort(value, out request.Port);
                    hasPort = true;
                    break;
                case 4 when name.SequenceEqual("left"u8):
                    error = ParseCounter(value, out request.Left);
                    hasLeft = true;
                    break;
                case 8 when name.SequenceEqual("uploaded"u8):
                    error = ParseCounter(value, out request.Uploaded);
                    break;
                case 10 when name.SequenceEqual("downloaded"u8):
                    error = ParseCounter(value, out request.Downloaded);
                    break;
                case 5 when name.SequenceEqual("event"u8):
                    error = ParseEvent(value, out request.Event);
                    break;
                case 7 when name.SequenceEqual("numwant"u8):
                    error = ParseNumWant(value, out request.NumWant);
                    break;
                case 7 when name.SequenceEqual("compact"u8):
                    request.Compact = !value.SequenceEqual("0"u8);
                    break;
                case 10 when name.SequenceEqual("no_peer_id"u8):
                    request.NoPeerId = value.SequenceEqual("1"u8);
                    request.PeerIdsAsked = value.SequenceEqual("0"u8);
                    break;
                case 3 when name.SequenceEqual("key"u8):
                    error = ParseKey(value, out request.Key);
                    request.HasKey = error == HttpTrackerError.None;
                    break;
                case 2 when name.SequenceEqual("ip"u8):
                case 4 when name.SequenceEqual("ipv4"u8):
                case 4 when name.SequenceEqual("ipv6"u8):
                    error = ParseAddress(value, out request.ClaimedAddress);
                    break;
            }

            if (error != HttpTrackerError.None)
            {
                return error;
            }
        }

        if (!hasInfoHash)
        {
            return HttpTrackerError.MissingInfoHash;
        }

        if (!hasPeerId)
        {
            return HttpTrackerError.MissingPeerId;
        }

        if (!hasPort)
        {
            return HttpTrackerError.MissingPort;
        }

        return hasLeft ? HttpTrackerError.None : HttpTrackerError.MissingLeft;
    }

    /// <summary>Percent-decodes a value that must be exactly 20 bytes.</summary>
    public static HttpTrackerError DecodeBytes20(ReadOnlySpan<byte> value, ref Bytes20 destination, HttpTrackerError lengthError)
    {
        Span<byte> decoded = stackalloc byte[Bytes20.Length + 1];
        if (!PercentEncoding.TryDecode(value, decoded, out var written))
        {
            // TryDecode stops either at a bad escape or when the span is full (too long).
            return written == decoded.Length ? lengthError : HttpTrackerError.InvalidEncoding;
        }

        if (written != Bytes20.Length)
        {
            return lengthError;
        }

        decoded[..Bytes20.Length].CopyTo(destination);
        return HttpTrackerError.None;
    }

    private static HttpTrackerError ParsePort(ReadOnlySpan<byte> value, out ushort port)
    {
        port = 0;
        if (!TryParseDigits(value, out var number) || number is < 1 or > ushort.MaxValue)
        {
            return HttpTrackerError.InvalidPort;
        }

        port = (ushort)number;
        return HttpTrackerError.None;
    }

    private static HttpTrackerError ParseCounter(ReadOnlySpan<byte> value, out long counter) =>
        TryParseDigits(value, out counter) ? HttpTrackerError.None : HttpTrackerError.InvalidNumber;

    private static HttpTrackerError ParseNumWant(ReadOnlySpan<byte> value, out int numWant)
    {
        numWant = AnnounceRequest.DefaultNumWant;
        if (value.IsEmpty)
        {
            return HttpTrackerError.None;
        }

        if (!Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length || parsed > int.MaxValue || parsed < int.MinValue)
        {
            return HttpTrackerError.InvalidNumWant;
        }

        numWant = parsed < 0 ? AnnounceRequest.DefaultNumWant : (int)parsed;
        return HttpTrackerError.None;
    }

    private static HttpTrackerError ParseEvent(ReadOnlySpan<byte> value, out AnnounceEvent announceEvent)
    {
        announceEvent = AnnounceEvent.None;
        if (value.IsEmpty || value.SequenceEqual("empty"u8) || value.SequenceEqual("paused"u8))
        {
            return HttpTrackerError.None;
        }

        if (value.SequenceEqual("started"u8))
        {
            announceEvent = AnnounceEvent.Started;
        }
        else if (value.SequenceEqual("completed"u8))
        {
            announceEvent = AnnounceEvent.Completed;
        }
        else if (value.SequenceEqual("stopped"u8))
        {
            announceEvent = AnnounceEvent.Stopped;
        }
        else
        {
            return HttpTrackerError.InvalidEvent;
        }

        return HttpTrackerError.None;
    }

    private static HttpTrackerError ParseKey(ReadOnlySpan<byte> value, out uint key)
    {
        key = 0;
        Span<byte> decoded = stackalloc byte[64];
        if (!PercentEncoding.TryDecode(value, decoded, out var written))
        {
            if (written < decoded.Length)
            {
                return HttpTrackerError.InvalidEncoding;
            }

            // Keys are opaque: an over-long one is hashed by its encoded form rather than refused.
            key = Fnv1a(value);
            return HttpTrackerError.None;
        }

        decoded = decoded[..written];
        if (written is > 0 and <= 8 && Utf8Parser.TryParse(decoded, out uint hex, out var consumed, 'x') && consumed == written)
        {
            key = hex;
        }
        else
        {
            key = Fnv1a(decoded);
        }

        return HttpTrackerError.None;
    }

    private static HttpTrackerError ParseAddress(ReadOnlySpan<byte> value, out IPAddress? address)
    {
        address = null;
        Span<byte> decoded = stackalloc byte[64];
        if (!PercentEncoding.TryDecode(value, decoded, out var written))
        {
            return HttpTrackerError.InvalidAddress;
        }

        var text = decoded[..written];
        if (!text.IsEmpty && text[0] == (byte)'[')
        {
            // BEP 7 endpoint form: [v6]:port.
            var close = text.IndexOf((byte)']');
            text = close > 0 ? text[1..close] : default;
        }
        else if (text.IndexOf((byte)'.') >= 0 && text.IndexOf((byte)':') is var colon and > 0)
        {
            // v4:port.
            text = text[..colon];
        }

        if (text.IsEmpty || !IPAddress.TryParse(text, out address))
        {
            address = null;
            return HttpTrackerError.InvalidAddress;
        }

        return HttpTrackerError.None;
    }

    /// <summary>Reads 1 to 19 decimal digits as a non-negative <c>long</c>; false for anything else, including a 19-digit
    /// value of 2^63 or more (it would wrap to a negative number: a counter that goes backwards restarts a session).</summary>
    private static bool TryParseDigits(ReadOnlySpan<byte> value, out long number)
    {
        number = 0;
        if (value.IsEmpty || value.Length > 19)
        {
            return false;
        }

        ulong parsed = 0;
        foreach (var b in value)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            // 19 digits are at most 9,999,999,999,999,999,999 < 2^64: no overflow of the unsigned accumulator.
            parsed = (parsed * 10) + digit;
        }

        if (parsed > long.MaxValue)
        {
            return false;
        }

        number = (long)parsed;
        return true;
    }

    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }
}
