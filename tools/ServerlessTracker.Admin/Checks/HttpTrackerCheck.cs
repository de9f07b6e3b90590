using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Admin.Checks;

/// <summary>The checks of an http(s):// announce URL, as a new client would meet the tracker.</summary>
/// <remarks>
/// Three peers of one random torrent (random info-hash, random peer ids, all leechers so each is shown the others):
/// the first announces, the second checks the first's address in its peer list, the third forges <c>X-Forwarded-For</c>
/// and <c>client-ip</c>; then a scrape of the torrent and a <c>stopped</c> for each peer, so nothing stays behind
/// but an empty swarm that the tracker purges.
/// </remarks>
public sealed class HttpTrackerCheck(HttpClient http)
{
    public const string ForgedForwardedFor = "203.0.113.7";
    public const string ForgedClientIp = "203.0.113.8";

    public async Task<List<CheckResult>> RunAsync(Uri announce, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult> { TrackerUrl.Transport(announce) };
        var infoHash = RandomNumberGenerator.GetBytes(20);
        var peers = new[] { NewPeer(), NewPeer(), NewPeer() };
        var announced = new List<Peer>();
        try
        {
            var first = await AnnounceAsync(announce, infoHash, peers[0], "started", forged: false, cancellationToken);
            if (first.Error is not null)
            {
                results.Add(CheckResult.Fail("announce", first.Error));
                results.Add(CheckResult.Skip("interval", "no announce answer"));
                results.Add(CheckResult.Skip("external ip", "no announce answer"));
                results.Add(CheckResult.Skip("forged headers", "no announce answer"));
                results.Add(CheckResult.Skip("scrape", "no announce answer"));
                results.Add(await HealthAsync(announce, cancellationToken));
                return results;
            }

            announced.Add(peers[0]);
            var answer = first.Answer!;
            results.Add(CheckResult.Pass("announce", $"bencoded answer, {Describe(answer)}"));
            results.Add(answer["interval"] is { Kind: BencodeKind.Integer } interval
                ? TrackerUrl.Interval(interval.Integer, answer["min interval"] is { Kind: BencodeKind.Integer } min ? min.Integer : null)
                : CheckResult.Fail("interval", "no integer interval in the answer"));

            var second = await AnnounceAsync(announce, infoHash, peers[1], "started", forged: false, cancellationToken);
            if (second.Answer is not null)
            {
                announced.Add(peers[1]);
            }

            var external = ExternalIp(answer);
            results.Add(ExternalIpCheck(external, second, peers[0].Port));

            var forged = await AnnounceAsync(announce, infoHash, peers[2], "started", forged: true, cancellationToken);
            if (forged.Answer is not null)
            {
                announced.Add(peers[2]);
            }

            results.Add(ForgedHeadersCheck(external, forged));
            results.Add(await ScrapeAsync(announce, infoHash, cancellationToken));
        }
        finally
        {
            // Cleanup is best effort: a peer left behind expires with the tracker's peer timeout anyway.
            foreach (var peer in announced)
            {
                await AnnounceAsync(announce, infoHash, peer, "stopped", forged: false, cancellationToken);
            }
        }

        results.Add(await HealthAsync(announce, cancellationToken));
        return results;
    }

    private static CheckResult ExternalIpCheck(IPAddress? external, Announced second, ushort firstPort)
    {
        const string name = "external ip";
        if (external is null)
        {
            return CheckResult.Skip(name, "the answer has no external ip (Tracker:Http:ReportExternalIp=false?)");
        }

        if (second.Answer is null)
        {
            return CheckResult.Fail(name, $"{external}; a second announce failed: {second.Error}");
        }

        var again = ExternalIp(second.Answer);
        if (!external.Equals(again))
        {
            return CheckResult.Fail(name, $"{external} in one answer, {again?.ToString() ?? "none"} in the next: the tracker does not see one address per caller");
        }

        // The first peer's entry in the second peer's list is the address other peers will connect to.
        var listed = ListedAddress(second.Answer, firstPort);
        if (listed is not null && !listed.Equals(external))
        {
            return CheckResult.Fail(name, $"{external} told, but other peers are given {listed}");
        }

        return CheckResult.Pass(name, listed is null
            ? $"{external}, the same in a second announce: is it your public address?"
            : $"{external}, the same in a second announce and in its peer list: is it your public address?");
    }

    private static CheckResult ForgedHeadersCheck(IPAddress? external, Announced forged)
    {
        const string name = "forged headers";
        if (forged.Answer is null)
        {
            return CheckResult.Fail(name, $"an announce with X-Forwarded-For and client-ip failed: {forged.Error}");
        }

        if (external is null)
        {
            return CheckResult.Skip(name, "no external ip to compare");
        }

        var seen = ExternalIp(forged.Answer);
        return external.Equals(seen)
            ? CheckResult.Pass(name, $"X-Forwarded-For: {ForgedForwardedFor} and client-ip: {ForgedClientIp} ignored")
            : CheckResult.Fail(name, $"external ip became {seen?.ToString() ?? "none"} with X-Forwarded-For: {ForgedForwardedFor}, client-ip: {ForgedClientIp}: the tracker trusts forged headers");
    }

    private async Task<CheckResult> ScrapeAsync(Uri announce, byte[] infoHash, CancellationToken cancellationToken)
    {
        const string name = "scrape";
        if (TrackerUrl.ScrapeUrl(announce) is not { } scrape)
        {
            return CheckResult.Skip(name, "no 'announce' segment in the path to derive a scrape URL from (BEP 48)");
        }

        var (answer, error) = await GetBencodeAsync(WithQuery(scrape, "info_hash=" + Escape(infoHash)), forged: false, cancellationToken);
        if (answer is null)
        {
            return CheckResult.Fail(name, error!);
        }

        if (answer["files"] is not { Kind: BencodeKind.Dictionary } files)
        {
            return CheckResult.Fail(name, "no files dictionary in the answer");
        }

        return files.Find(infoHash) is { Kind: BencodeKind.Dictionary } entry
            ? CheckResult.Pass(name, $"{Count(entry, "complete")} seeders, {Count(entry, "incomplete")} leechers, {Count(entry, "downloaded")} completed")
            : CheckResult.Pass(name, "bencoded answer; the new torrent is not listed yet");
    }

    private async Task<CheckResult> HealthAsync(Uri announce, CancellationToken cancellationToken)
    {
        const string name = "health";
        var url = TrackerUrl.HealthUrl(announce);
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            body = body.Length > 160 ? body[..160] + "…" : body;
            return response.StatusCode switch
            {
                HttpStatusCode.OK => CheckResult.Pass(name, $"{url.AbsolutePath} 200 {body}"),
                HttpStatusCode.NotFound => CheckResult.Skip(name, $"{url.AbsolutePath} 404: a deployment without health endpoints"),
                _ => CheckResult.Fail(name, $"{url.AbsolutePath} {(int)response.StatusCode} {body}"),
            };
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Fail(name, $"{url.AbsolutePath}: {Why(exception)}");
        }
    }

    private async Task<Announced> AnnounceAsync(Uri announce, byte[] infoHash, Peer peer, string @event, bool forged, CancellationToken cancellationToken)
    {
        var query = $"info_hash={Escape(infoHash)}&peer_id={Escape(peer.Id)}&port={peer.Port}&uploaded=0&downloaded=0&left=1&compact=1&numwant=50&event={@event}";
        var (answer, error) = await GetBencodeAsync(WithQuery(announce, query), forged, cancellationToken);
        return new Announced(answer, error);
    }

    /// <summary>GETs a tracker URL and decodes its bencoded answer; an answer with <c>failure reason</c> is an error.</summary>
    private async Task<(BencodeValue? Answer, string? Error)> GetBencodeAsync(Uri url, bool forged, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forged)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", ForgedForwardedFor);
            request.Headers.TryAddWithoutValidation("client-ip", ForgedClientIp);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!BencodeDecoder.TryDecode(body, out var answer, out var decodeError) || answer!.Kind != BencodeKind.Dictionary)
            {
                return (null, $"{(int)response.StatusCode}, not a bencoded dictionary ({decodeError ?? "a " + answer!.Kind})");
            }

            return answer["failure reason"] is { } failure
                ? (null, $"{(int)response.StatusCode}, failure reason: {failure.Text}")
                : (answer, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, Why(exception));
        }
    }

    private static string Why(Exception exception) => exception is TaskCanceledException
        ? "no answer within 5 s"
        : "cannot reach: " + exception.Message;

    private static string Describe(BencodeValue answer)
    {
        var peers = answer["peers"] switch
        {
            { Kind: BencodeKind.String } compact => compact.Bytes.Length / 6,
            { Kind: BencodeKind.List } list => list.Items.Count,
            _ => -1,
        };
        var peers6 = answer["peers6"] is { Kind: BencodeKind.String } six ? six.Bytes.Length / 18 : 0;
        return peers < 0 ? "but no peers key" : $"{peers + peers6} peers, {Count(answer, "complete")} seeders, {Count(answer, "incomplete")} leechers";
    }

    private static string Count(BencodeValue dictionary, string key) =>
        dictionary[key] is { Kind: BencodeKind.Integer } value ? value.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";

    private static IPAddress? ExternalIp(BencodeValue answer) =>
        answer["external ip"] is { Kind: BencodeKind.String, Bytes.Length: 4 or 16 } raw ? new IPAddress(raw.Bytes) : null;

    /// <summary>The address listed for the peer on <paramref name="port"/> in a compact answer, or null.</summary>
    private static IPAddress? ListedAddress(BencodeValue answer, ushort port)
    {
        foreach (var (key, size) in new[] { ("peers", 6), ("peers6", 18) })
        {
            if (answer[key] is not { Kind: BencodeKind.String } compact)
            {
                continue;
            }

            for (var offset = 0; offset + size <= compact.Bytes.Length; offset += size)
            {
                if ((compact.Bytes[offset + size - 2] << 8 | compact.Bytes[offset + size - 1]) == port)
                {
                    return new IPAddress(compact.Bytes.AsSpan(offset, size - 2));
                }
            }
        }

        return null;
    }

    private static Uri WithQuery(Uri url, string query) =>
        new UriBuilder(url) { Query = url.Query.Length > 1 ? url.Query[1..] + "&" + query : query }.Uri;

    private static string Escape(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>A peer id of this tool's client prefix and random characters, on a random port, so that no two runs meet.</summary>
    internal static Peer NewPeer()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        var id = Encoding.ASCII.GetBytes("-ST0001-" + RandomNumberGenerator.GetString(alphabet, 12));
        return new Peer(id, (ushort)RandomNumberGenerator.GetInt32(20000, 60000));
    }

    internal sealed record Peer(byte[] Id, ushort Port);

    private sealed record Announced(BencodeValue? Answer, string? Error);
}
