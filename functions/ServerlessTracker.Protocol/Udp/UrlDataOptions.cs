namespace ServerlessTracker.Protocol.Udp;

/// <summary>Reads the BEP 41 options that may follow the 98 bytes of an announce.</summary>
/// <remarks>
/// <code>
/// type 0x0 EndOfOptions   1 byte, no length; stops parsing
/// type 0x1 NOP            1 byte, no length
/// type 0x2 URLData        type, length (1 byte), data; several are concatenated in order
/// type other              type, length (1 byte), data; skipped
/// </code>
/// URL data is the path and query of the <c>udp://</c> URL (e.g. <c>/announce?passkey=...</c> or
/// <c>/abc123/announce</c>), the place a private tracker's passkey travels. Parsing stops at the end
/// of the datagram or at EndOfOptions; an option cut short by the datagram's end is ignored, since
/// BEP 15 tells trackers to tolerate whatever clients append.
/// </remarks>
public static class UrlDataOptions
{
    public const byte EndOfOptions = 0x0;
    public const byte Nop = 0x1;
    public const byte UrlData = 0x2;

    /// <summary>Concatenates the URLData options into <paramref name="destination"/>; returns the length, or -1 if it does not fit.</summary>
    public static int Read(ReadOnlySpan<byte> options, Span<byte> destination)
    {
        var written = 0;
        var position = 0;
        while (position < options.Length)
        {
            var type = options[position++];
            if (type == EndOfOptions)
            {
                break;
            }

            if (type == Nop)
            {
                continue;
            }

            if (position >= options.Length)
            {
                break;
            }

            int length = options[position++];
            if (length > options.Length - position)
            {
                break;
            }

            if (type == UrlData)
            {
                if (length > destination.Length - written)
                {
                    return -1;
                }

                options.Slice(position, length).CopyTo(destination[written..]);
                written += length;
            }

            position += length;
        }

        return written;
    }

    /// <summary>Writes <paramref name="urlData"/> as URLData options of at most 255 bytes each, then EndOfOptions; returns the length.</summary>
    public static int Write(ReadOnlySpan<byte> urlData, Span<byte> destination)
    {
        var position = 0;
        while (!urlData.IsEmpty)
        {
            var chunk = Math.Min(urlData.Length, byte.MaxValue);
            destination[position++] = UrlData;
            destination[position++] = (byte)chunk;
            urlData[..chunk].CopyTo(destination[position..]);
            position += chunk;
            urlData = urlData[chunk..];
        }

        destination[position++] = EndOfOptions;
        return position;
    }
}
