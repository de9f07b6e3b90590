using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Properties;

/// <summary>HTTP announce and scrape queries: any bytes are a value (an error or a request), well-formed ones round-trip.</summary>
public class WhenFuzzingHttpQueries
{
    [Property(MaxTest = 2000)]
    public Property AnnounceParsingOfAnyBytesEndsInAnErrorOrAValidRequest() =>
        Prop.ForAll(Gen.OneOf(Generators.Bytes(0, 300), Generators.QueryNoise(300), Generators.AnnounceShapedQuery()).ToArbitrary(), query =>
        {
            var error = AnnounceRequestParser.Parse(query, out var request);
            return error != HttpTrackerError.None || request.Port >= 1;
        });

    [Property(MaxTest = 1000)]
    public Property AWellFormedAnnounceRoundTripsInAnyParameterOrder() =>
        Prop.ForAll(ValidAnnounces().ToArbitrary(), sample =>
        {
            var error = AnnounceRequestParser.Parse(Encoding.ASCII.GetBytes(sample.Query), out var request);
            return error == HttpTrackerError.None
                && ((ReadOnlySpan<byte>)request.InfoHash).SequenceEqual(sample.InfoHash)
                && ((ReadOnlySpan<byte>)request.PeerId).SequenceEqual(sample.PeerId)
                && request.Port == sample.Port
                && request.Left == sample.Left
                && request.Uploaded == sample.Uploaded
                && request.Downloaded == sample.Downloaded
                && request.Event == sample.Event
                && request.NumWant == (sample.NumWant < 0 ? AnnounceRequest.DefaultNumWant : sample.NumWant)
                && request.Compact == sample.Compact
                && request.HasKey
                && request.Key == sample.Key;
        });

    [Property(MaxTest = 2000)]
    public Property PercentEncodingRoundTripsAnyBytes() =>
        Prop.ForAll(Generators.Bytes(0, 200).ToArbitrary(), bytes =>
        {
            var encoded = Encoding.ASCII.GetBytes(Generators.Encode(bytes));
            var decoded = new byte[bytes.Length];
            return encoded.Length == PercentEncoding.EncodedLength(bytes)
                && PercentEncoding.TryDecode(encoded, decoded, out var written)
                && written == bytes.Length
                && decoded.AsSpan().SequenceEqual(bytes);
        });

    [Property(MaxTest = 2000)]
    public Property PercentDecodingNeverWritesPastItsDestination() =>
        Prop.ForAll(Generators.QueryNoise(100).ToArbitrary(), Gen.Choose(0, 40).ToArbitrary(), (source, size) =>
        {
            var destination = new byte[size + 8];
            var ok = PercentEncoding.TryDecode(source, destination.AsSpan(0, size), out var written);
            return written <= size && destination.AsSpan(size).IndexOfAnyExcept((byte)0) < 0 && (!ok || written <= source.Length);
        });

    [Property(MaxTest = 500)]
    public Property ScrapeReturnsTheHashesInOrderAndRefusesMoreThanItHolds() =>
        Prop.ForAll(Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Generators.Twenty, n)).ToArbitrary(), Gen.Choose(1, 10).ToArbitrary(), (hashes, capacity) =>
        {
            var query = Encoding.ASCII.GetBytes("?" + string.Join("&", hashes.Select((h, i) => (i % 3 == 0 ? "x=1&" : "") + "info_hash=" + Generators.Encode(h))));
            var parsed = new Bytes20[capacity];
            var error = ScrapeRequestParser.Parse(query, parsed, out var count);
            if (hashes.Length > capacity)
            {
                return error == HttpTrackerError.TooManyInfoHashes;
            }

            return error == HttpTrackerError.None && count == hashes.Length
                && hashes.Select((h, i) => ((ReadOnlySpan<byte>)parsed[i]).SequenceEqual(h)).All(same => same);
        });

    [Property(MaxTest = 2000)]
    public Property ScrapeParsingOfAnyBytesNeverThrows() =>
        Prop.ForAll(Gen.OneOf(Generators.Bytes(0, 300), Generators.QueryNoise(300), Generators.AnnounceShapedQuery()).ToArbitrary(), query =>
        {
            var parsed = new Bytes20[4];
            var error = ScrapeRequestParser.Parse(query, parsed, out var count);
            return count <= parsed.Length && (error != HttpTrackerError.None || count >= 0);
        });

    [Property(MaxTest = 1000)]
    public Property QueryParametersSplitAtAmpersandsOnly() =>
        Prop.ForAll(Generators.QueryNoise(200).ToArbitrary(), query =>
        {
            var parameters = new QueryParameters(query);
            var total = 0;
            while (parameters.MoveNext())
            {
                if (parameters.Name.Contains((byte)'&') || parameters.Value.Contains((byte)'&') || parameters.Name.Contains((byte)'='))
                {
                    return false;
                }

                total += parameters.Name.Length + parameters.Value.Length;
            }

            return total <= query.Length;
        });

    public sealed record Sample(string Query, byte[] InfoHash, byte[] PeerId, ushort Port, long Left, long Uploaded, long Downloaded, AnnounceEvent Event, int NumWant, bool Compact, uint Key);

    private static Gen<Sample> ValidAnnounces()
    {
        var counter = Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, 1 << 20), (a, b) => ((long)b << 31) | (uint)a);
        var events = Gen.Elements(AnnounceEvent.None, AnnounceEvent.Started, AnnounceEvent.Completed, AnnounceEvent.Stopped);
        return
            from hash in Generators.Twenty
            from peer in Generators.Twenty
            from port in Gen.Choose(1, 65535)
            from left in counter
            from uploaded in counter
            from downloaded in counter
            from announceEvent in events
            from numWant in Gen.Choose(-5, 5000)
            from compact in Gen.Elements(true, false)
            from key in Gen.Choose(int.MinValue, int.MaxValue)
            from order in Gen.Shuffle(Enumerable.Range(0, 10))
            select Build(hash, peer, (ushort)port, left, uploaded, downloaded, announceEvent, numWant, compact, (uint)key, order);
    }

    private static Sample Build(byte[] hash, byte[] peer, ushort port, long left, long uploaded, long downloaded, AnnounceEvent announceEvent, int numWant, bool compact, uint key, IEnumerable<int> order)
    {
        var eventText = announceEvent switch { AnnounceEvent.Started => "started", AnnounceEvent.Completed => "completed", AnnounceEvent.Stopped => "stopped", _ => "" };
        string[] pairs =
        [
            "info_hash=" + Generators.Encode(hash), "peer_id=" + Generators.Encode(peer), $"port={port}", $"left={left}", $"uploaded={uploaded}",
            $"downloaded={downloaded}", $"event={eventText}", $"numwant={numWant}", $"compact={(compact ? 1 : 0)}", $"key={key:x8}",
        ];
        return new Sample("?" + string.Join("&", order.Select(i => pairs[i])), hash, peer, port, left, uploaded, downloaded, announceEvent, numWant, compact, key);
    }
}
