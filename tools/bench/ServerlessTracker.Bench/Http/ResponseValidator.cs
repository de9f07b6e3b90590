using System.IO.Compression;
using ServerlessTracker.Bench.Workloads;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Bench.Http;

/// <summary>
/// Judges every answer: HTTP 200, well-formed bencode, no failure reason, an interval and compact peers of
/// loopback addresses for announces, one complete files entry per scraped hash. Every
/// <see cref="StrictSampleInterval"/>-th answer also goes through the strict decoder of the Protocol library.
/// One instance per connection (no locking); <see cref="Add"/> merges them.
/// </summary>
public sealed class ResponseValidator
{
    /// <summary>One answer in this many is decoded strictly as well.</summary>
    public const int StrictSampleInterval = 64;

    private const int MaxSamples = 5;
    private readonly List<string> samples = [];

    public long Answers { get; private set; }

    public long Valid { get; private set; }

    /// <summary>Answers that were not HTTP 200.</summary>
    public long Non200 { get; private set; }

    /// <summary>Bencoded failure reasons.</summary>
    public long FailureReasons { get; private set; }

    /// <summary>Bodies that are not well-formed bencode, lack required keys, or fail the strict decoder.</summary>
    public long Invalid { get; private set; }

    /// <summary>Connections that failed (refused, reset, truncated answers, timeouts).</summary>
    public long TransportErrors { get; private set; }

    public long Announces { get; private set; }

    /// <summary>Announces (not event=stopped) whose answer held at least one peer.</summary>
    public long AnnouncesWithPeers { get; private set; }

    /// <summary>Announces other than event=stopped: the denominator of <see cref="AnnouncesWithPeers"/>.</summary>
    public long AnnouncesExpectingPeers { get; private set; }

    public long PeersReturned { get; private set; }

    public long Scrapes { get; private set; }

    /// <summary>Scrapes answered with an empty files dictionary (no torrent known).</summary>
    public long ScrapesEmpty { get; private set; }

    public long StrictChecked { get; private set; }

    public IReadOnlyList<string> Samples => samples;

    public void Judge(in RequestInfo request, in HttpResponse response, ReadOnlySpan<byte> body)
    {
        Answers++;
        if (response.Status != 200)
        {
            Non200++;
            Sample($"HTTP {response.Status}: {Printable(body)}");
            return;
        }

        byte[]? inflated = null;
        if (response.Gzip)
        {
            inflated = Gunzip(body);
            if (inflated is null)
            {
                Invalid++;
                Sample("gzip body that does not inflate");
                return;
            }

            body = inflated;
        }

        if (!BencodeScan.TryScan(body, out var facts))
        {
            Invalid++;
            Sample($"not bencode: {Printable(body)}");
            return;
        }

        if (facts.Failure)
        {
            FailureReasons++;
            Sample($"failure: {Printable(body)}");
            return;
        }

        if (Answers % StrictSampleInterval == 1)
        {
            StrictChecked++;
            if (!BencodeDecoder.TryDecode(body, out _, out var error))
            {
                Invalid++;
                Sample($"strict decoder: {error}: {Printable(body)}");
                return;
            }
        }
        if (request.Kind == RequestKind.Announce)
        {
            Announces++;
            if (!facts.HasInterval || !facts.HasPeers || facts.PeersBytes % 6 != 0 || facts.PeersNotLoopback != 0)
            {
                Invalid++;
                Sample($"announce answer without interval or with bad compact peers: {Printable(body)}");
                return;
            }

            PeersReturned += facts.PeersBytes / 6;
            if (!request.Stopped)
            {
                AnnouncesExpectingPeers++;
                AnnouncesWithPeers += facts.PeersBytes > 0 ? 1 : 0;
            }
        }
        else
        {
            Scrapes++;
            if (facts.HasFiles && facts.FileEntries == 0)
            {
                // A torrent whose peers all stopped is forgotten (opentracker drops it); an empty files dict is a valid answer.
                ScrapesEmpty++;
            }
            else if (!facts.HasFiles || facts.FileEntries != request.ScrapedHashes || facts.CompleteFileEntries != request.ScrapedHashes)
            {
                Invalid++;
                Sample($"scrape answer without {request.ScrapedHashes} complete files entries: {Printable(body)}");
                return;
            }
        }

        Valid++;
    }

    public void TransportError(string what)
    {
        TransportErrors++;
        Sample(what);
    }

    /// <summary>Adds another connection's counts into this one.</summary>
    public void Add(ResponseValidator other)
    {
        Answers += other.Answers;
        Valid += other.Valid;
        Non200 += other.Non200;
        FailureReasons += other.FailureReasons;
        Invalid += other.Invalid;
        TransportErrors += other.TransportErrors;
        Announces += other.Announces;
        AnnouncesWithPeers += other.AnnouncesWithPeers;
        AnnouncesExpectingPeers += other.AnnouncesExpectingPeers;
        PeersReturned += other.PeersReturned;
        Scrapes += other.Scrapes;
        ScrapesEmpty += other.ScrapesEmpty;
        StrictChecked += other.StrictChecked;
        foreach (var sample in other.samples)
        {
            if (samples.Count < MaxSamples)
            {
                samples.Add(sample);
            }
        }
    }

    private void Sample(string what)
    {
        if (samples.Count < MaxSamples)
        {
            samples.Add(what);
        }
    }

    private static byte[]? Gunzip(ReadOnlySpan<byte> body)
    {
        try
        {
            using var input = new MemoryStream(body.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static string Printable(ReadOnlySpan<byte> body)
    {
        var shown = body[..Math.Min(body.Length, 160)];
        var chars = new char[shown.Length];
        for (var i = 0; i < shown.Length; i++)
        {
            chars[i] = shown[i] is >= 32 and < 127 ? (char)shown[i] : '.';
        }

        return new string(chars);
    }
}
